package rollout

import (
	"math"
	"strconv"
)

// Evidence-based bakes. A bake that ends on wall time alone lets a fault
// through when the step's hosts have not yet taken the update (pull-based
// hosts check in hours apart: a step's bake can end with a fifth of its
// hosts updated, health judged on those few) or have not yet run long
// enough for the fault to show. A bake therefore ends only when, besides
// its time and MinHealthy's healthy reports:
//
//   - MinTaken: at least that share of the ring's hosts the step offers
//     the update to (Fleet.Target) have taken it. An observation counts
//     the updated hosts of every ring, so the ring's are taken to be that
//     count less every host of the earlier rings (a lower bound: a host of
//     an earlier ring that never took the update makes the bound stricter,
//     never looser). Hosts that tenant windows, deferrals or opt-outs keep
//     waiting count as offered, so set MinTaken below the share of hosts
//     that can take the update within the bake. The default,
//     DefaultMinTaken, applies to every ring with a health gate.
//   - MinHostHours (optional): the updated hosts have run at least that
//     many host-hours since the step started (Observation.Updated.Hours,
//     counted from State.StepHours), so that a step of few hosts cannot
//     end on a handful of host-minutes. A caller that does not report
//     Hours holds every such bake (fail closed), and says so.
//
// NoHealthGate is the explicit "no health gate" of a schedule that
// advances on time alone (MinHealthy and the default MinTaken are off;
// MinTaken and MinHostHours still apply when set). It exists to compare
// such schedules with gated ones in the simulator; `ringwise check` warns
// about it, and the zero value keeps the gate.

// DefaultMinTaken is the share of the hosts offered the update that must
// have taken it before a bake ends, when a ring with a health gate does not
// set MinTaken.
const DefaultMinTaken = 0.5

// minTaken returns the ring's effective MinTaken.
func (r *Ring) minTaken() float64 {
	switch {
	case r.MinTaken > 0:
		return r.MinTaken
	case r.NoHealthGate:
		return 0
	}
	return DefaultMinTaken
}

// stepHours returns what a step of ring records in State.StepHours.
func stepHours(r *Ring, obs *Observation) float64 {
	if r.MinHostHours > 0 {
		return obs.Updated.Hours
	}
	return 0
}

// earlier returns the number of hosts of the rings before the current one.
func (d *decider) earlier() int {
	n := 0
	for r := range d.st.Ring {
		n += d.f.rings[r].size
	}
	return n
}

// evidence checks MinTaken and MinHostHours for the current step, adding
// the reason when the bake must go on.
func (d *decider) evidence(ring *Ring, rule string) bool {
	u := &d.obs.Updated
	if share := ring.minTaken(); share > 0 {
		offered := d.f.Target(d.st.Ring, d.st.Step)
		need := int(math.Ceil(share*float64(offered) - 1e-9))
		// The ring's updated hosts, or, when the observation does not
		// count them by ring, at least the count less every host of the
		// earlier rings.
		var taken int
		if r := d.st.Ring; r < len(u.ByRing) {
			taken = u.ByRing[r]
		} else {
			taken = max(u.Hosts-d.earlier(), 0)
		}
		if taken < need {
			var buf [192]byte
			b := strconv.AppendInt(buf[:0], int64(taken), 10)
			b = append(b, " of the "...)
			b = strconv.AppendInt(b, int64(offered), 10)
			b = append(b, " hosts of the ring offered the update have taken it; the bake needs "...)
			b = strconv.AppendInt(b, int64(need), 10)
			b = append(b, " (min_taken "...)
			b = strconv.AppendFloat(b, share, 'g', -1, 64)
			b = append(b, ')')
			d.addBytes(rule, ring.Src, b)
			return false
		}
	}
	if ring.MinHostHours > 0 {
		if got := u.Hours - d.st.StepHours; !(got >= ring.MinHostHours) {
			var buf [160]byte
			b := append(buf[:0], "updated hosts have run "...)
			b = strconv.AppendFloat(b, max(got, 0), 'g', 4, 64)
			b = append(b, " host-hours since the step started; the bake needs "...)
			b = strconv.AppendFloat(b, ring.MinHostHours, 'g', -1, 64)
			b = append(b, " (min_host_hours)"...)
			d.addBytes(rule, ring.Src, b)
			return false
		}
	}
	return true
}
