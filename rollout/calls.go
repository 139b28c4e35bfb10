package rollout

// The calls by hand: Pause, Unpause, Stop, Resume and Fleet.Adopt
// (engine.go holds Start and Decide).

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// The calls by hand (Pause, Unpause, Stop, Resume and Fleet.Adopt) guard
// their inputs as Decide does: a time a State cannot record (outside the
// years 0-9999), a name or reason that is not valid UTF-8 and an invalid
// observation are errors, and the state comes back unchanged. A clock
// earlier than the last call (State.Last) is an error for the calls that
// let exposure go on (Unpause, Resume, Adopt: each would backdate what it
// restarts). Pause and Stop only ever freeze or revert, so a backwards
// clock never refuses them: they take effect and are logged at the last
// call's time, so that neither the audit log nor State.Last ever goes
// backwards.

// stampBy returns the time at which a call by hand at now is recorded: now,
// or the last call's time when the clock went backwards.
func stampBy(st *State, now time.Time) time.Time { return later(st.Last, now) }

// Pause holds a running rollout by hand: exposure is frozen (triggers still
// run) until Unpause.
func Pause(st State, reason string, now time.Time) (State, error) {
	if !recordable(now) {
		return st, errTime("time", now)
	}
	if err := textError("pause reason", reason); err != nil {
		return st, err
	}
	at := stampBy(&st, now)
	if !st.Paused {
		st.PausedAt = at
	}
	st.Paused, st.PauseReason, st.Last = true, reason, at
	return logged(st, Entry{At: at, Action: Hold, Ring: st.RingName, Step: st.Step, Reasons: []Reason{{Rule: "pause", Message: "paused by hand: " + reason}}}), nil
}

// Unpause lifts a Pause.
func Unpause(st State, now time.Time) (State, error) {
	if err := clockError(&st, now); err != nil {
		return st, err
	}
	endPause(&st, now)
	st.Paused, st.PauseReason, st.Last = false, "", now
	return logged(st, Entry{At: now, Action: Hold, Ring: st.RingName, Step: st.Step, Reasons: []Reason{{Rule: "pause", Message: "unpaused by hand"}}}), nil
}

// Stop halts (action Halt) or rolls back (action Rollback) a rollout by
// hand, the way a person pulls the update: by names who, and reason goes
// to the audit log. Stopping a complete rollout withdraws the update: hosts
// that have not taken it yet no longer may. A halted rollout can still be
// rolled back; a rolled-back one cannot be stopped again.
func Stop(st State, a Action, by, reason string, now time.Time) (State, error) {
	if a != Halt && a != Rollback {
		return st, fmt.Errorf("rollout: stop by hand must halt or roll back, not %s", a)
	}
	if !recordable(now) {
		return st, errTime("time", now)
	}
	for _, e := range [...]error{textError("name of who stops", by), textError("stop reason", reason)} {
		if e != nil {
			return st, e
		}
	}
	switch {
	case st.Phase == RolledBack:
		return st, fmt.Errorf("rollout: cannot stop a rollout that is %s", st.Phase)
	case st.Phase == Halted && a == Halt:
		return st, nil
	}
	if a == Rollback {
		st.Phase = RolledBack
	} else {
		st.Phase = Halted
	}
	at := stampBy(&st, now)
	st.Stopped, st.Last = by+": "+reason, at
	return logged(st, Entry{At: at, Action: a, Ring: st.RingName, Step: st.Step, Reasons: []Reason{{Rule: by, Message: fmt.Sprintf("%s by hand: %s", a, reason)}}}), nil
}

// Resume restarts a halted rollout at its current step; the step bakes
// again from now. A rolled-back or complete rollout cannot be resumed:
// start a new rollout (with a new ID) instead.
//
// The person resuming has seen the evidence that stopped the rollout, so
// from now on triggers count events and silent hosts since obs (the
// observation that was on the table when they resumed): the same old
// crashes do not halt the rollout again, new ones do. Triggers are never
// switched off: obs must be an observation Decide would accept (counts,
// not NaN or infinite; not from after now; cumulative counts not below
// those acknowledged at an earlier resume), or Resume fails.
func Resume(st State, obs Observation, by string, now time.Time) (State, error) {
	if st.Phase != Halted {
		return st, fmt.Errorf("rollout: cannot resume a rollout that is %s", st.Phase)
	}
	if err := clockError(&st, now); err != nil {
		return st, err
	}
	if err := textError("name of who resumes", by); err != nil {
		return st, err
	}
	if obs.At.After(now) {
		return st, fmt.Errorf("rollout: cannot resume on an observation from the future (%s after now)", obs.At.Sub(now))
	}
	if p := observationProblems(&obs, st.Acked); len(p) > 0 {
		return st, fmt.Errorf("rollout: cannot resume on this observation: %s", strings.Join(p, "; "))
	}
	ack := obs.Updated
	ack.Signals = maps.Clone(ack.Signals)
	ack.ByRing = nil
	ack.Strata = nil
	st.Phase, st.Stopped, st.StepStarted, st.Acked, st.Last = Running, "", now, &ack, now
	st.StepHours = obs.Updated.Hours // the step bakes again from here
	st.AckedStrata = ackStrata(&obs)
	return logged(st, Entry{At: now, Action: Hold, Ring: st.RingName, Step: st.Step, Reasons: []Reason{{Rule: "resume", Message: "resumed by " + by}}}), nil
}

// Adopt moves a running rollout onto the fleet's (new) plan, keeping its
// position by ring name; the current step bakes again from now. It fails
// when the current ring does not exist in the new plan, and on a clock
// earlier than the last call (the bake would restart in the past).
func (f *Fleet) Adopt(st State, now time.Time) (State, error) {
	if st.RolloutID != f.rollout {
		return st, fmt.Errorf("rollout: state of rollout %q does not belong to fleet of %q", st.RolloutID, f.rollout)
	}
	if err := clockError(&st, now); err != nil {
		return st, err
	}
	name := st.RingName
	r := f.plan.Ring(name)
	if name == "" || r < 0 {
		return st, fmt.Errorf("rollout: cannot adopt plan %q: current ring %q is not in it", f.plan.Name, name)
	}
	st.Plan, st.PlanDigest, st.Ring = f.plan.Name, f.plan.digest, r
	st.Step = min(st.Step, f.plan.Steps(r)-1)
	st.StepStarted = now
	st.Last = now
	return logged(st, Entry{At: now, Action: Hold, Ring: name, Step: st.Step, Reasons: []Reason{{Rule: f.plan.rules.plan, Src: f.plan.Src, Message: "adopted plan " + f.plan.digest}}}), nil
}
