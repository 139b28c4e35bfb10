package rollout

import (
	"fmt"
	"math"
	"slices"
	"time"
	"unicode/utf8"
)

// The checks every call shares at the edges: what a call takes in (a
// time, an observation, a name or a reason) must be something a State can
// record and a later call can read back, so that MarshalState never fails
// on a state the engine returned and the same rule is applied by every call.

// minYear and maxYear bound the times a State records: RFC 3339 (and so
// State's JSON encoding) writes four-digit years only.
const minYear, maxYear = 0, 9999

// recordable reports whether t can be written into a State.
func recordable(t time.Time) bool {
	y := t.Year()
	return y >= minYear && y <= maxYear
}

// errTime is the error for a time outside the years a State can record.
func errTime(what string, t time.Time) error {
	return fmt.Errorf("rollout: %s %s is outside the years %04d-%04d a state can record", what, t.UTC().Format(time.RFC3339Nano), minYear, maxYear)
}

// clockError checks the time of a call that changes a state: it must be
// recordable and, as for Decide, not before the last call.
func clockError(st *State, now time.Time) error {
	if !recordable(now) {
		return errTime("time", now)
	}
	if now.Before(st.Last) {
		return fmt.Errorf("rollout: %s", backwardsMessage(now, st.Last))
	}
	return nil
}

func backwardsMessage(now, last time.Time) string {
	return fmt.Sprintf("clock went backwards: %s is before the last call at %s", now.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
}

// textError checks that a string a call records (an ID, a name, a reason)
// is valid UTF-8: JSON would silently replace the bad bytes, and the state
// read back would not be the state written.
func textError(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("rollout: %s %q is not valid UTF-8", what, s)
	}
	return nil
}

// observationProblems lists, in a fixed order, everything in obs that no
// fleet can produce: a negative number of hosts; a signal count or
// exposure that is negative, NaN or infinite; a signal name that is not
// valid UTF-8; and, after a Resume (acked non-nil), a cumulative count of
// the updated hosts below the count acknowledged then. Comparisons with
// NaN are false and a count that went down makes a trigger's difference
// negative, so either would switch a trigger off unseen; every call that
// takes an observation refuses (Resume) or holds on (Decide) such counts.
func observationProblems(obs *Observation, acked *Cohort) []string {
	if observationOK(obs, acked) {
		return nil // the common case, checked without sorting or allocating
	}
	o := *obs // the report below may keep what it reads; obs stays the caller's
	return listProblems(&o, acked)
}

// observationOK reports whether observationProblems has nothing to say.
func observationOK(obs *Observation, acked *Cohort) bool {
	for _, c := range [...]*Cohort{&obs.Updated, &obs.Baseline} {
		if c.Hosts < 0 || c.Healthy < 0 || c.Silent < 0 {
			return false
		}
		for name, s := range c.Signals {
			if badSignal(name, s) {
				return false
			}
		}
	}
	if acked != nil {
		for name, a := range acked.Signals {
			if s, ok := obs.Updated.Signals[name]; ok && (s.Count < a.Count || s.Hours < a.Hours) {
				return false
			}
		}
	}
	return strataOK(obs)
}

func listProblems(obs *Observation, acked *Cohort) []string {
	var out []string
	for _, c := range [...]struct {
		name string
		c    *Cohort
	}{{"updated", &obs.Updated}, {"baseline", &obs.Baseline}} {
		if c.c.Hosts < 0 || c.c.Healthy < 0 || c.c.Silent < 0 {
			out = append(out, fmt.Sprintf("observation of %s hosts has a negative count (hosts %d, healthy %d, silent %d)", c.name, c.c.Hosts, c.c.Healthy, c.c.Silent))
		}
		for _, name := range sortedKeys(c.c.Signals) { // map order must not reach the decision
			s := c.c.Signals[name]
			if !validCount(s.Count) || !validCount(s.Hours) {
				out = append(out, fmt.Sprintf("signal %q of %s hosts is not a count (count %g, host-hours %g)", name, c.name, s.Count, s.Hours))
			} else if !utf8.ValidString(name) {
				out = append(out, fmt.Sprintf("signal name %q of %s hosts is not valid UTF-8", name, c.name))
			}
		}
	}
	out = append(out, strataProblems(obs)...)
	if acked == nil {
		return out
	}
	for _, name := range sortedKeys(acked.Signals) {
		a := acked.Signals[name]
		if s, ok := obs.Updated.Signals[name]; ok && validCount(s.Count) && validCount(s.Hours) && (s.Count < a.Count || s.Hours < a.Hours) {
			out = append(out, fmt.Sprintf("signal %q of updated hosts went down to count %g, host-hours %g, below the count %g, host-hours %g acknowledged at the resume (counts are cumulative)", name, s.Count, s.Hours, a.Count, a.Hours))
		}
	}
	return out
}

func badSignal(name string, s Signal) bool {
	return !validCount(s.Count) || !validCount(s.Hours) || !utf8.ValidString(name)
}

func validCount(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
