package observe_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/rollout"
)

// TestNewStrata: series labels map to the keys the fleet gives its hosts'
// strata, ring by ring; values no host of the ring has map to "".
func TestNewStrata(t *testing.T) {
	plan, err := rollout.Compile(rollout.Plan{Name: "p", Rings: []rollout.Ring{
		{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: time.Minute, Cover: []string{"os_build", "tenant"}},
		{Name: "broad", Steps: []float64{100}, Bake: time.Minute},
	}})
	if err != nil {
		t.Fatal(err)
	}
	hosts := []rollout.Host{
		{ID: "a", Labels: map[string]string{"channel": "internal", "os_build": "1", "tenant": "x"}},
		{ID: "b", Labels: map[string]string{"channel": "internal", "os_build": "2", "tenant": "y,z"}},
		{ID: "c", Labels: map[string]string{"channel": "stable", "os_build": "3", "tenant": "x"}},
	}
	f, err := rollout.NewFleet(plan, "r", hosts)
	if err != nil {
		t.Fatal(err)
	}
	cover, key := observe.NewStrata(f, hosts, 0)
	got := map[string]string{}
	for _, l := range []map[string]string{{"os_build": "1", "tenant": "x"}, {"os_build": "2", "tenant": "y,z"}, {"os_build": "3", "tenant": "x"}} {
		got[l["os_build"]] = key(l)
	}
	want := map[string]string{"1": f.Stratum(0), "2": f.Stratum(1), "3": ""}
	if d := cmp.Diff(want, got); d != "" || !cmp.Equal(cover, []string{"os_build", "tenant"}) {
		t.Errorf("cover %v, keys (-want +got):\n%s", cover, d)
	}
	if cover, key := observe.NewStrata(f, hosts, 1); cover != nil || key != nil {
		t.Errorf("a ring without cover has strata %v", cover)
	}
}
