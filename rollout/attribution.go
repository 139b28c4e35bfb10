package rollout

import "fmt"

// Attribution: a trigger with Attributed set fires only when the hosts not
// yet updated (the baseline) do not show the same condition. When they do,
// the failure is fleet-wide: the update under test is not what caused it,
// and rolling it back would remove a good update from the hosts that have
// it while the real cause goes on. The rollout holds instead (exposure is
// frozen, nothing advances) and the decision says so, until the baseline
// recovers or the updated hosts are worse than the trigger allows while
// the baseline is not.
//
// What "the same condition" means for each kind:
//
//   - Absolute: the baseline's rate of the signal (events per baseline
//     host) is above Threshold, with at least MinCount events.
//   - Silence: the share of baseline hosts not reporting
//     (Observation.Baseline.Silent over its Hosts) is above Threshold, with
//     at least MinCount silent hosts.
//   - Sequential: the same sequential test, on the baseline's count and
//     host-hours, rejects the healthy rate.
//   - Baseline and SilenceBaseline compare with the baseline by
//     construction: a fleet-wide failure raises both rates and does not
//     fire them. Compile refuses Attributed on them (it would do nothing).
//
// Fail closed: when the baseline's signal is missing the trigger cannot be
// attributed and the rollout holds, saying so (as for any missing signal);
// when no host is left in the baseline (the last step of the last ring, or
// a complete rollout) there is nothing to attribute against and the
// trigger fires as an unattributed one would, saying so.

// fleetWide is the start of the reason an attributed trigger gives when it
// holds.
const fleetWide = "fleet-wide failure, not attributable to this update: holding"

// attribute turns a fired verdict of an attributed trigger into a hold
// when the baseline shows the same condition.
func (t *Trigger) attribute(v *triggerView, r verdict) verdict {
	b := v.b
	if b.Hosts <= 0 {
		r.msg += " (no hosts left in the baseline to attribute it against)"
		return r
	}
	var sick string
	switch t.Kind {
	case Absolute:
		bs, ok := b.Signals[t.Signal]
		if !ok {
			return missingSignal(t.Signal, "baseline")
		}
		if bs.Count >= float64(t.minCount()) && bs.Count/float64(b.Hosts) > t.Threshold {
			sick = fmt.Sprintf("%s rate %.3g%% > %.3g%% (%g events on %d hosts)", t.Signal, 100*bs.Count/float64(b.Hosts), 100*t.Threshold, bs.Count, b.Hosts)
		}
	case Silence:
		if s := b.Silent; s >= t.minCount() && float64(s)/float64(b.Hosts) > t.Threshold {
			sick = fmt.Sprintf("%d of %d hosts not reporting (%.3g%% > %.3g%%)", s, b.Hosts, 100*float64(s)/float64(b.Hosts), 100*t.Threshold)
		}
	case Sequential:
		bs, ok := b.Signals[t.Signal]
		if !ok {
			return missingSignal(t.Signal, "baseline")
		}
		if sprtFires(t, bs.Count, bs.Hours) {
			sick = fmt.Sprintf("%g %s events in %.4g host-hours reject the healthy rate %g/host-hour", bs.Count, t.Signal, bs.Hours, t.Rate)
		}
	}
	if sick == "" {
		return r
	}
	return verdict{note: fmt.Sprintf("%s: among updated hosts %s; among hosts not yet updated %s", fleetWide, r.msg, sick)}
}
