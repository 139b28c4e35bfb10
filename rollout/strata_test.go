package rollout

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestStrataFalseAlarm: a sequential trigger with By over 4 strata, each
// stratum healthy and checked after every one of 200 increments of 100
// host-hours, ever fires in at most Alpha of the rollouts: each stratum's
// test runs at Alpha/4 (Bonferroni). Without the split, the family-wise
// rate would be about four times a single test's.
//
// Measured with seed (5, 6) over 4,000 rollouts: see the log line (the
// split rate sits well below alpha 0.01; the unsplit one above it).
func TestStrataFalseAlarm(t *testing.T) {
	const runs, steps, dh, strata = 4000, 200, 100.0, 4
	tr := Trigger{Name: "seq", Kind: Sequential, Signal: "crash", Rate: 0.001, Ratio: 2, Alpha: 0.01, Action: Halt, By: []string{"os"}}
	plan, err := Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}}, Triggers: []Trigger{tr}})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []Host
	for i := range 4 * strata {
		hosts = append(hosts, Host{ID: fmt.Sprintf("h%d", i), Labels: map[string]string{"os": fmt.Sprintf("os%d", i%strata)}})
	}
	f, err := NewFleet(plan, "r", hosts)
	if err != nil {
		t.Fatal(err)
	}
	keys := f.TriggerStrata(0)
	if len(keys) != strata {
		t.Fatalf("strata %q, want %d", keys, strata)
	}
	r := rand.New(rand.NewPCG(5, 6))
	mu := tr.Rate * dh
	e := math.Exp(-mu)
	split, unsplit := 0, 0
	for range runs {
		obs := Observation{ByStratum: map[string]Stratum{}}
		d := decider{f: f, obs: obs}
		firedSplit, firedUnsplit := false, false
		for range steps {
			for _, k := range keys {
				s := obs.ByStratum[k]
				sig := s.Updated.Signals["crash"]
				sig.Count += poissonE(r, mu, e)
				sig.Hours += dh
				s.Updated = Cohort{Hosts: 4, Signals: map[string]Signal{"crash": sig}}
				obs.ByStratum[k] = s
				if !firedUnsplit && sprtFires(&plan.Triggers[0], sig.Count, sig.Hours) {
					firedUnsplit = true
				}
			}
			if !firedSplit && d.evaluateStrata(0, &plan.Triggers[0]).fired {
				firedSplit = true
			}
			if firedSplit && firedUnsplit {
				break
			}
		}
		if firedSplit {
			split++
		}
		if firedUnsplit {
			unsplit++
		}
	}
	t.Logf("false alarms over %d strata: %d of %d rollouts at alpha/%d per stratum (%.4f), %d (%.4f) at alpha per stratum; alpha %g",
		strata, split, runs, strata, float64(split)/runs, unsplit, float64(unsplit)/runs, tr.Alpha)
	if rate := float64(split) / runs; rate > tr.Alpha {
		t.Errorf("family-wise false-alarm rate %.4f exceeds alpha %g", rate, tr.Alpha)
	}
}
