package rollout

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Per-stratum triggers. A fault confined to one configuration (one OS
// build, one non-default option) can stay far below any fleet-wide bar
// while every host of that configuration fails. A trigger with By lists
// labels; the engine then evaluates it once per stratum (value combination
// of those labels present in the fleet), on that stratum's updated hosts
// against the same stratum's baseline (Observation.ByStratum), and names
// the stratum that fires.
//
// Multiple comparisons. A trigger evaluated on m strata has m chances to
// fire by chance:
//
//   - Sequential: each stratum's test runs at Alpha/m (Bonferroni), where
//     m is the number of strata of the By labels among the fleet's hosts,
//     fixed when the Fleet is built. Each per-stratum test is valid under
//     continuous monitoring (Ville's inequality), so by the union bound the
//     probability that any stratum ever fires on a healthy update is at
//     most Alpha, however often the engine is asked (TestStrataFalseAlarm).
//   - Absolute, Silence, Baseline and SilenceBaseline are bars, not tests:
//     each stratum must cross the same bar with at least MinCount events
//     (or silent hosts) of its own. They state no error rate, per stratum
//     or overall; use a sequential test with By for a stated one, and a
//     MinCount that a small stratum's noise does not reach for the bars.
//
// Fail closed: a plan with a By trigger needs per-stratum counts; an
// observation without any (ByStratum empty) holds the rollout and says
// so, as does a fleet in which no host has any of the By labels (a
// misspelt label would otherwise turn the trigger into a fleet-wide one). A stratum absent from ByStratum has no hosts to report (none
// updated, none in the baseline) and cannot fire.

// Stratum is the observation of one stratum of a By trigger: its updated
// hosts and its hosts not yet updated, counted as Observation.Updated and
// Observation.Baseline are.
type Stratum struct {
	Updated  Cohort `json:"updated"`
	Baseline Cohort `json:"baseline"`
}

// StratumKey renders the values of labels by of a host, e.g.
// "os_build=19045,arch=amd64": the key of Observation.ByStratum (and, with
// a ring's Cover labels, of Cohort.Strata). A missing label renders as
// empty: hosts without it form a stratum of their own.
func StratumKey(by []string, labels map[string]string) string { return stratumKey(by, labels) }

// TriggerStrata returns the strata keys of trigger k's By labels present
// among the fleet's hosts, sorted; nil for a trigger without By. A caller
// fills Observation.ByStratum with these keys (StratumKey of each host's
// labels gives the host's).
func (f *Fleet) TriggerStrata(k int) []string { return slices.Clone(f.byStrata[k]) }

// indexTriggerStrata records, for every By trigger of the plan, the strata
// of labels (one host's labels, or a cohort's shared map).
func (f *Fleet) indexTriggerStrata(sets []map[string]bool, labels map[string]string) {
	for k := range f.plan.Triggers {
		if by := f.plan.Triggers[k].By; len(by) > 0 {
			sets[k][stratumKey(by, labels)] = true
		}
	}
}

// newTriggerStrataSets returns the sets indexTriggerStrata fills, nil when
// no trigger has By.
func newTriggerStrataSets(p *Plan) []map[string]bool {
	if !slices.ContainsFunc(p.Triggers, func(t Trigger) bool { return len(t.By) > 0 }) {
		return nil
	}
	sets := make([]map[string]bool, len(p.Triggers))
	for k := range sets {
		if len(p.Triggers[k].By) > 0 {
			sets[k] = map[string]bool{}
		}
	}
	return sets
}

// finishTriggerStrata sorts the recorded strata into f.byStrata.
func (f *Fleet) finishTriggerStrata(sets []map[string]bool) {
	f.byStrata = make([][]string, len(f.plan.Triggers))
	for k, s := range sets {
		if s != nil {
			f.byStrata[k] = slices.Sorted(maps.Keys(s))
		}
	}
}

// evaluateStrata evaluates By trigger k on every stratum, in key order.
// It returns the first stratum's verdict that fires (its message naming
// the stratum); else the notes of the strata that could not be evaluated
// (or that are fleet-wide failures), joined.
func (d *decider) evaluateStrata(k int, t *Trigger) verdict {
	keys := d.f.byStrata[k]
	if len(keys) == 1 && keys[0] == stratumKey(t.By, nil) {
		// No host has any of the labels: a misspelt label would otherwise
		// make the trigger a fleet-wide one without a word.
		return verdict{note: fmt.Sprintf("no host of the fleet has any of the labels %q, so there are no strata to compare (a misspelt label?)", t.By)}
	}
	if len(d.obs.ByStratum) == 0 {
		if len(keys) == 0 {
			return verdict{}
		}
		return verdict{note: fmt.Sprintf("the observation has no per-stratum counts (ByStratum) for its %d strata of %q", len(keys), t.By)}
	}
	tt := *t
	if t.Kind == Sequential {
		tt.Alpha = t.Alpha / float64(len(keys))
	}
	var notes []string
	for _, key := range keys {
		s, ok := d.obs.ByStratum[key]
		if !ok {
			continue
		}
		v := triggerView{u: &s.Updated, b: &s.Baseline}
		if a, ok := d.st.AckedStrata[key]; ok {
			v.acked = &a
		}
		r := tt.evaluate(&v)
		if r.fired && t.Attributed {
			r = tt.attribute(&v, r)
		}
		switch {
		case r.fired:
			r.msg = "stratum " + key + ": " + r.msg
			if t.Kind == Sequential && len(keys) > 1 {
				r.msg += " (alpha " + strconv.FormatFloat(t.Alpha, 'g', -1, 64) + " split over " + strconv.Itoa(len(keys)) + " strata)"
			}
			return r
		case r.note != "":
			notes = append(notes, "stratum "+key+": "+r.note)
		}
	}
	if len(notes) == 0 {
		return verdict{}
	}
	if len(notes) > 3 {
		notes = append(notes[:3], fmt.Sprintf("and %d more strata", len(notes)-3))
	}
	msg := notes[0]
	for _, n := range notes[1:] {
		msg += "; " + n
	}
	return verdict{note: msg}
}

// ackStrata returns the updated hosts' per-stratum counts to acknowledge
// at a Resume.
func ackStrata(obs *Observation) map[string]Cohort {
	if len(obs.ByStratum) == 0 {
		return nil
	}
	out := make(map[string]Cohort, len(obs.ByStratum))
	for key, s := range obs.ByStratum {
		c := s.Updated
		c.Signals = maps.Clone(c.Signals)
		c.Strata = nil
		out[key] = c
	}
	return out
}

// strataOK reports whether every per-stratum count (and per-ring count of
// updated hosts) is one a fleet can produce.
func strataOK(obs *Observation) bool {
	for _, n := range obs.Updated.ByRing {
		if n < 0 {
			return false
		}
	}
	for _, s := range obs.ByStratum {
		for _, c := range [...]*Cohort{&s.Updated, &s.Baseline} {
			if c.Hosts < 0 || c.Healthy < 0 || c.Silent < 0 {
				return false
			}
			for name, sig := range c.Signals {
				if badSignal(name, sig) {
					return false
				}
			}
		}
	}
	return true
}

// strataProblems lists the per-stratum counts no fleet can produce, in key
// order.
func strataProblems(obs *Observation) []string {
	var out []string
	for r, n := range obs.Updated.ByRing {
		if n < 0 {
			out = append(out, fmt.Sprintf("observation of updated hosts has a negative count for ring %d (by_ring %d)", r, n))
		}
	}
	for _, key := range sortedKeys(obs.ByStratum) {
		s := obs.ByStratum[key]
		for _, c := range [...]struct {
			name string
			c    *Cohort
		}{{"updated", &s.Updated}, {"baseline", &s.Baseline}} {
			if c.c.Hosts < 0 || c.c.Healthy < 0 || c.c.Silent < 0 {
				out = append(out, fmt.Sprintf("stratum %s: observation of %s hosts has a negative count (hosts %d, healthy %d, silent %d)", key, c.name, c.c.Hosts, c.c.Healthy, c.c.Silent))
			}
			for _, name := range sortedKeys(c.c.Signals) {
				if sig := c.c.Signals[name]; badSignal(name, sig) {
					out = append(out, fmt.Sprintf("stratum %s: signal %q of %s hosts is not a count (count %g, host-hours %g)", key, name, c.name, sig.Count, sig.Hours))
				}
			}
		}
	}
	return out
}
