package simulate_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/simulate"
)

// Progress reaches the horizon of every run, in order within a run, ends
// each run once, and changes no result.
func TestProgress(t *testing.T) {
	sc, _, diags := simulate.ParseScenario([]byte(exampleScenario), "scenario.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sim, err := simulate.New(sc, examplePlan())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	last := map[uint64]time.Duration{}
	done := map[uint64]int{}
	ctx := simulate.WithProgress(context.Background(), func(seed uint64, at time.Duration, end bool) {
		mu.Lock()
		defer mu.Unlock()
		if at < last[seed] || at > sc.Horizon {
			t.Errorf("seed %d: progress %v after %v (horizon %v)", seed, at, last[seed], sc.Horizon)
		}
		if done[seed] > 0 {
			t.Errorf("seed %d: progress after the end", seed)
		}
		last[seed] = at
		if end {
			done[seed]++
		}
	})
	with, err := sim.MonteCarlo(ctx, 7, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	without, err := sim.MonteCarlo(context.Background(), 7, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(without, with, cmp.AllowUnexported(simulate.Decision{})); diff != "" {
		t.Errorf("progress changed the report (-without +with):\n%s", diff)
	}
	want := map[uint64]int{}
	for k := range 5 {
		want[simulate.SeedFor(7, k)] = 1
		if got := last[simulate.SeedFor(7, k)]; got != sc.Horizon {
			t.Errorf("run %d: progress ended at %v, want the horizon %v", k, got, sc.Horizon)
		}
	}
	if diff := cmp.Diff(want, done); diff != "" {
		t.Errorf("runs ended (-want +got):\n%s", diff)
	}
}
