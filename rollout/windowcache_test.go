package rollout

import (
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestWindowMemo: with the fleet's memo of each tenant's window span, the
// next opening is the one computed afresh from the windows, for instants
// asked in any order (forwards, backwards, repeated), across DST changes
// and for tenants with several windows that overlap or follow each other.
func TestWindowMemo(t *testing.T) {
	bases := []time.Time{mustTime("2026-03-27T00:00:00Z"), mustTime("2026-10-23T00:00:00Z"), mustTime("2026-11-24T09:00:00Z"), mustTime("2011-12-28T00:00:00Z")}
	rapid.Check(t, func(t *rapid.T) {
		var ws []Window
		for range rapid.IntRange(1, 3).Draw(t, "windows") {
			w := genWindow(t)
			if rapid.IntRange(0, 3).Draw(t, "apia") == 0 {
				w.Zone = mustZone("Pacific/Apia") // skipped 30 December 2011
			}
			ws = append(ws, w)
		}
		plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}},
			Tenants: []Tenant{{Name: "t", Maintenance: ws}}}))
		f := must(NewFleet(plan, "r1", []Host{{ID: "a"}}))
		base := rapid.SampledFrom(bases).Draw(t, "base")
		for range rapid.IntRange(1, 60).Draw(t, "asks") {
			at := base.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "minute")) * time.Minute)
			if rapid.Bool().Draw(t, "odd") {
				at = at.Add(time.Duration(rapid.IntRange(1, 59).Draw(t, "second")) * time.Second)
			}
			got, want := f.windowOpen(0, at, instantOf(at)), windowsOpen(plan.Tenants[0].Maintenance, at)
			if !got.Equal(want) || got.Location() != want.Location() {
				t.Fatalf("at %s: memo says %s, afresh %s", at, got, want)
			}
		}
	})
}

// TestWindowMemoConcurrent: host calls from several goroutines at
// different times share the memo (run with -race) and each gets the answer
// computed afresh.
func TestWindowMemoConcurrent(t *testing.T) {
	ws := []Window{{Days: []time.Weekday{time.Saturday}, Start: time.Hour, Length: 4 * time.Hour, Zone: london}, {Start: 22 * time.Hour, Length: 2 * time.Hour, Zone: newYork}}
	plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}}, Tenants: []Tenant{{Name: "t", Maintenance: ws}}}))
	f := must(NewFleet(plan, "r1", []Host{{ID: "a"}}))
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 2000 {
				at := t0.Add(time.Duration((k*37+g*1013)%(14*24*60)) * time.Minute)
				if got, want := f.windowOpen(0, at, instantOf(at)), windowsOpen(ws, at); !got.Equal(want) {
					errs <- at.String() + ": memo " + got.String() + ", afresh " + want.String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
