package rollout

import (
	"fmt"
	"math"
)

// Trigger evaluation: one method per TriggerKind, each reading the same
// view of an observation (triggerView), so that a new kind is one method
// and one case in Trigger.evaluate. The Sequential test's statistics live
// in sequential.go.

// triggerView is what triggers read of an observation: the updated and
// baseline cohorts, and the updated hosts' counts acknowledged at a
// Resume (triggers count from them).
type triggerView struct {
	u, b  *Cohort
	acked *Cohort
}

// silent returns the updated hosts silent since the acknowledgement.
func (v *triggerView) silent() int {
	if v.acked != nil {
		return v.u.Silent - v.acked.Silent
	}
	return v.u.Silent
}

// signal returns the updated hosts' count of a signal since the
// acknowledgement, and whether the signal was observed.
func (v *triggerView) signal(name string) (Signal, bool) {
	sig, ok := v.u.Signals[name]
	if ok && v.acked != nil {
		prev := v.acked.Signals[name]
		sig.Count -= prev.Count
		sig.Hours -= prev.Hours
	}
	return sig, ok
}

// verdict is what one trigger makes of an observation: whether it fires
// (with the message saying why), or a note that it could not be evaluated
// (a missing signal: it does not fire, and the rollout holds).
type verdict struct {
	fired bool
	msg   string // why it fired
	note  string // why it could not be evaluated
}

// evaluate dispatches on the trigger's kind.
func (t *Trigger) evaluate(v *triggerView) verdict {
	switch t.Kind {
	case Absolute:
		return t.evalAbsolute(v)
	case Baseline:
		return t.evalBaseline(v)
	case Silence:
		return t.evalSilence(v)
	case SilenceBaseline:
		return t.evalSilenceBaseline(v)
	case Sequential:
		return t.evalSequential(v)
	}
	return verdict{} // Compile admits no other kind
}

func (t *Trigger) minCount() int { return max(t.MinCount, 1) }

func missingSignal(name, cohort string) verdict {
	return verdict{note: fmt.Sprintf("signal %q of %s hosts is missing", name, cohort)}
}

// evalAbsolute: the updated hosts' rate of the signal is above Threshold.
func (t *Trigger) evalAbsolute(v *triggerView) verdict {
	sig, ok := v.signal(t.Signal)
	if !ok {
		return missingSignal(t.Signal, "updated")
	}
	u := v.u
	if u.Hosts > 0 && sig.Count >= float64(t.minCount()) && sig.Count/float64(u.Hosts) > t.Threshold {
		return verdict{fired: true, msg: fmt.Sprintf("%s rate %.3g%% > %.3g%% (%g events on %d hosts)", t.Signal, 100*sig.Count/float64(u.Hosts), 100*t.Threshold, sig.Count, u.Hosts)}
	}
	return verdict{}
}

// evalBaseline: the updated hosts' rate is more than Threshold times the
// baseline's (a quiet baseline counting one event).
func (t *Trigger) evalBaseline(v *triggerView) verdict {
	sig, ok := v.signal(t.Signal)
	if !ok {
		return missingSignal(t.Signal, "updated")
	}
	u, b := v.u, v.b
	if b.Hosts == 0 || u.Hosts == 0 {
		return verdict{} // nothing to compare with
	}
	bs, ok := b.Signals[t.Signal]
	if !ok {
		return missingSignal(t.Signal, "baseline")
	}
	ru := sig.Count / float64(u.Hosts)
	rb := max(bs.Count, 1) / float64(b.Hosts)
	if sig.Count >= float64(t.minCount()) && ru > t.Threshold*rb {
		return verdict{fired: true, msg: fmt.Sprintf("%s rate %.3g%% is %.3gx the baseline's %.3g%% (limit %gx)", t.Signal, 100*ru, ru/rb, 100*bs.Count/float64(b.Hosts), t.Threshold)}
	}
	return verdict{}
}

// evalSilence: the share of updated hosts that went silent is above
// Threshold.
func (t *Trigger) evalSilence(v *triggerView) verdict {
	u, silent := v.u, v.silent()
	if u.Hosts > 0 && silent >= t.minCount() && float64(silent)/float64(u.Hosts) > t.Threshold {
		return verdict{fired: true, msg: fmt.Sprintf("%d of %d updated hosts went silent (%.3g%% > %.3g%%)", silent, u.Hosts, 100*float64(silent)/float64(u.Hosts), 100*t.Threshold)}
	}
	return verdict{}
}

// evalSilenceBaseline: the share of updated hosts that went silent is more
// than Threshold times the baseline's (counting at least one silent host).
func (t *Trigger) evalSilenceBaseline(v *triggerView) verdict {
	u, b, silent := v.u, v.b, v.silent()
	if b.Hosts <= 0 || u.Hosts <= 0 {
		return verdict{} // nothing to compare with
	}
	su := float64(silent) / float64(u.Hosts)
	sb := float64(max(b.Silent, 1)) / float64(b.Hosts)
	if silent >= t.minCount() && su > t.Threshold*sb {
		return verdict{fired: true, msg: fmt.Sprintf("%d of %d updated hosts went silent (%.3g%%), %.3gx the baseline's %.3g%% (%d of %d hosts not yet updated; limit %gx)",
			silent, u.Hosts, 100*su, su/sb, 100*float64(max(b.Silent, 0))/float64(b.Hosts), max(b.Silent, 0), b.Hosts, t.Threshold)}
	}
	return verdict{}
}

// evalSequential: the sequential probability ratio test rejects the
// healthy rate (see sequential.go).
func (t *Trigger) evalSequential(v *triggerView) verdict {
	sig, ok := v.signal(t.Signal)
	if !ok {
		return missingSignal(t.Signal, "updated")
	}
	if sprtFires(t, sig.Count, sig.Hours) {
		return verdict{fired: true, msg: fmt.Sprintf("sequential test: %g %s events in %.4g host-hours reject the healthy rate %g/host-hour (likelihood ratio %.3g >= 1/alpha = %g)", sig.Count, t.Signal, sig.Hours, t.Rate, math.Exp(sprtLogLR(t, sig.Count, sig.Hours)), 1/t.Alpha)}
	}
	return verdict{}
}

// triggers evaluates every trigger in plan order. It returns the strongest
// action of those that fired. A trigger that cannot be evaluated (its
// signal is missing) adds a reason but does not fire; the firing triggers
// are reported after those notes, in plan order.
func (d *decider) triggers() (Action, bool) {
	var fired Action
	var fireReasons []Reason
	v := triggerView{u: &d.obs.Updated, b: &d.obs.Baseline, acked: d.st.Acked}
	for k := range d.f.plan.Triggers {
		t := &d.f.plan.Triggers[k]
		var r verdict
		if len(t.By) > 0 {
			r = d.evaluateStrata(k, t)
		} else {
			r = t.evaluate(&v)
			if r.fired && t.Attributed {
				r = t.attribute(&v, r)
			}
		}
		switch {
		case r.fired:
			fireReasons = append(fireReasons, Reason{Rule: d.f.plan.rules.triggers[k], Src: t.Src, Message: r.msg})
			fired = max(fired, t.Action)
		case r.note != "":
			d.reasons = append(d.reasons, Reason{Rule: d.f.plan.rules.triggers[k], Src: t.Src, Message: r.note})
		}
	}
	if fired == 0 {
		return 0, false
	}
	d.reasons = append(d.reasons, fireReasons...)
	return fired, true
}
