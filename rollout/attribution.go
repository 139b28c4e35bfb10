package rollout

import (
	"fmt"
	"math"
)

// Attribution: a trigger with Attributed set fires only on the part of
// its condition that the hosts not yet updated (the baseline) do not
// share. When the baseline fails as much, the failure is fleet-wide: the
// update under test is not what caused it, and rolling it back would
// remove a good update from the hosts that have it while the real cause
// goes on. The rollout holds instead (exposure is frozen, nothing
// advances) and the decision says "fleet-wide failure, not attributable
// to this update: holding", with both cohorts' figures, until the
// baseline recovers or the updated hosts pull away from it.
//
// What the trigger then compares, for each kind:
//
//   - Absolute: the excess of the updated hosts' rate of the signal over
//     the baseline's (events per host in each cohort) must be above
//     Threshold: the bar applies to what the update adds.
//   - Silence: the same with the shares of hosts not reporting
//     (Observation.Baseline.Silent over its Hosts): normal churn, which
//     the baseline has too, does not count against the update.
//   - Sequential: the test's healthy rate becomes the larger of Rate and
//     the baseline's observed rate (its count over its host-hours): the
//     updated hosts must be Ratio times worse than the fleet is now, not
//     than it was when the policy was written. (The baseline's rate is an
//     estimate, so Alpha is no longer an exact bound while the baseline is
//     sick; with a healthy baseline, at or below Rate, the test is the
//     unattributed one.)
//   - Baseline and SilenceBaseline compare with the baseline by
//     construction: a fleet-wide failure raises both rates and does not
//     fire them. Compile refuses Attributed on them (it would do nothing).
//
// Fail closed: when the baseline's signal is missing (or, for Sequential,
// has events but no host-hours) the trigger cannot be attributed and the
// rollout holds, saying so; when no host is left in the baseline (the last
// step of the last ring, or a complete rollout) there is nothing to
// attribute against and the trigger fires as an unattributed one would,
// saying so.

// fleetWide is the start of the reason an attributed trigger gives when it
// holds.
const fleetWide = "fleet-wide failure, not attributable to this update: holding"

// attribute re-reads a fired verdict of an attributed trigger against the
// baseline: it fires on the excess, or holds.
func (t *Trigger) attribute(v *triggerView, r verdict) verdict {
	b := v.b
	if b.Hosts <= 0 {
		r.msg += " (no hosts left in the baseline to attribute it against)"
		return r
	}
	var excess bool
	var base string
	switch t.Kind {
	case Absolute:
		bs, ok := b.Signals[t.Signal]
		if !ok {
			return missingSignal(t.Signal, "baseline")
		}
		sig, _ := v.signal(t.Signal)
		ru, rb := sig.Count/float64(max(v.u.Hosts, 1)), bs.Count/float64(b.Hosts)
		excess = ru-rb > t.Threshold
		base = fmt.Sprintf("%s rate %.3g%% (%g events on %d hosts)", t.Signal, 100*rb, bs.Count, b.Hosts)
	case Silence:
		su, sb := float64(v.silent())/float64(max(v.u.Hosts, 1)), float64(max(b.Silent, 0))/float64(b.Hosts)
		excess = su-sb > t.Threshold
		base = fmt.Sprintf("%d of %d hosts not reporting (%.3g%%)", max(b.Silent, 0), b.Hosts, 100*sb)
	case Sequential:
		bs, ok := b.Signals[t.Signal]
		if !ok {
			return missingSignal(t.Signal, "baseline")
		}
		if bs.Count > 0 && !(bs.Hours > 0) {
			return verdict{note: fmt.Sprintf("signal %q of baseline hosts has %g events and no host-hours: its rate is unknown, so the trigger cannot be attributed", t.Signal, bs.Count)}
		}
		tt := *t
		if bs.Hours > 0 {
			tt.Rate = math.Max(t.Rate, bs.Count/bs.Hours)
		}
		sig, _ := v.signal(t.Signal)
		excess = sprtFires(&tt, sig.Count, sig.Hours)
		base = fmt.Sprintf("%g %s events in %.4g host-hours (%.3g/host-hour against the healthy %g)", bs.Count, t.Signal, bs.Hours, bs.Count/math.Max(bs.Hours, 1e-300), t.Rate)
		if excess && tt.Rate > t.Rate {
			r.msg += fmt.Sprintf(", and against the baseline's %.3g/host-hour", tt.Rate)
		}
	}
	if excess {
		return r
	}
	return verdict{note: fmt.Sprintf("%s: among updated hosts %s; among hosts not yet updated %s", fleetWide, r.msg, base)}
}
