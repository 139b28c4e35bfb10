package rollout

import (
	"math"
	"slices"
)

// checkObservation adds a reason for every count of the observation that
// no fleet can produce: a negative number of hosts, or a signal count or
// exposure that is negative, NaN or infinite. Comparisons with NaN are
// false, so such a count would never fire a trigger; the rollout holds
// instead, as for a missing signal.
func (d *decider) checkObservation() {
	for _, c := range [...]struct {
		name string
		c    *Cohort
	}{{"updated", &d.obs.Updated}, {"baseline", &d.obs.Baseline}} {
		if c.c.Hosts < 0 || c.c.Healthy < 0 || c.c.Silent < 0 {
			d.add(engineRule, Source{}, "observation of %s hosts has a negative count (hosts %d, healthy %d, silent %d)", c.name, c.c.Hosts, c.c.Healthy, c.c.Silent)
		}
		var bad []string
		for name, s := range c.c.Signals {
			if !validCount(s.Count) || !validCount(s.Hours) {
				bad = append(bad, name)
			}
		}
		slices.Sort(bad) // map order must not reach the decision
		for _, name := range bad {
			s := c.c.Signals[name]
			d.add(engineRule, Source{}, "signal %q of %s hosts is not a count (count %g, host-hours %g)", name, c.name, s.Count, s.Hours)
		}
	}
}

func validCount(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }
