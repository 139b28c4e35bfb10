package rollout

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Start returns the state of a new rollout of u over the fleet, positioned
// before the first step: nothing is exposed until a Decide advances (which
// checks approvals, gates and blackouts like every other step). It refuses
// an update the plan does not accept (Plan.CheckUpdate, which also fills in
// the kind) and a time a State cannot record.
func (f *Fleet) Start(u Update, now time.Time) (State, error) {
	u, err := f.plan.CheckUpdate(u)
	if err != nil {
		return State{}, err
	}
	if !recordable(now) {
		return State{}, errTime("start time", now)
	}
	return State{
		Version:     StateVersion,
		RolloutID:   f.rollout,
		Plan:        f.plan.Name,
		PlanDigest:  f.plan.digest,
		Update:      u,
		Phase:       Running,
		Started:     now,
		Ring:        0,
		RingName:    f.plan.Rings[0].Name,
		Step:        -1,
		StepStarted: now,
		Last:        now,
	}, nil
}

// decider accumulates one decision.
type decider struct {
	f       *Fleet
	st      State
	obs     Observation
	now     time.Time
	reasons []Reason
}

func (d *decider) add(rule string, src Source, format string, args ...any) {
	d.reasons = append(d.reasons, Reason{Rule: rule, Src: src, Message: fmt.Sprintf(format, args...)})
}

// addText adds a reason with a message that needs no formatting.
func (d *decider) addText(rule string, src Source, msg string) {
	d.reasons = append(d.reasons, Reason{Rule: rule, Src: src, Message: msg})
}

// addBytes adds a reason whose message was built in msg. When the audit
// log's last entry has the same message at the same place, as a hold that
// repeats itself does, its string is reused: polling a baking step
// allocates no new text (BenchmarkDecideUnchanged).
func (d *decider) addBytes(rule string, src Source, msg []byte) {
	if n := len(d.st.Log); n > 0 {
		if last, k := d.st.Log[n-1].Reasons, len(d.reasons); k < len(last) && last[k].Message == string(msg) {
			d.addText(rule, src, last[k].Message)
			return
		}
	}
	d.addText(rule, src, string(msg))
}

// Decide answers the controller call: given the rollout's state, what was
// observed and the time, what should the rollout do? The same inputs
// always give the same Decision. Decide fails closed: a state from another
// rollout or plan, a clock that went backwards, a missing signal, a stale
// observation, a gate that errs, a missing approval: each holds, and says
// why. Triggers are evaluated on every call, also while paused, halted or
// complete (deferred tenants may not have the update yet);
// a rollback is never held by windows or gates.
//
// An observation is checked as every call that takes one checks it:
// counts that no fleet can produce (negative, NaN, infinite) and
// cumulative counts below those acknowledged at a Resume hold the
// rollout. A bake ends only on an observation newer than the step's
// start; the first advance, from before the first step, needs none that
// new (nothing is exposed yet, there are no updated hosts to hear from,
// and telemetry arrives late), but its triggers and missing signals are
// checked on it as on any other (TestFirstAdvanceOldObservation).
//
// ctx bounds the gates' evaluation; it is not used otherwise.
func (f *Fleet) Decide(ctx context.Context, st State, obs Observation, now time.Time) Decision {
	d := decider{f: f, st: st, obs: obs, now: now}
	return d.decide(ctx)
}

func (d *decider) hold(next time.Time) Decision { return d.finish(Hold, next) }

func (d *decider) finish(a Action, next time.Time) Decision {
	st := d.st
	ring := ""
	if st.Ring >= 0 && st.Ring < len(d.f.plan.Rings) {
		ring = d.f.plan.Rings[st.Ring].Name
	}
	st = logged(st, Entry{At: d.now, Action: a, Ring: ring, Step: st.Step, Reasons: d.reasons})
	return Decision{Action: a, Reasons: d.reasons, Next: next, State: st}
}

// logged appends e to the state's log unless it repeats the last entry's
// action, position and reasons.
func logged(st State, e Entry) State {
	if n := len(st.Log); n > 0 {
		l := &st.Log[n-1]
		if l.Action == e.Action && l.Ring == e.Ring && l.Step == e.Step && slices.Equal(l.Reasons, e.Reasons) {
			return st
		}
	}
	e.Reasons = slices.Clone(e.Reasons)
	st.Log = append(slices.Clip(st.Log), e)
	return st
}

const engineRule = "engine"

// decide dispatches once on the rollout's phase, as raft's Step does
// through its per-state step functions. Which answers append to the audit
// log (State.Log) is part of the contract:
//
//   - refused calls do not: a state of another rollout, a position or
//     phase the plan does not have, a time a State cannot record, a clock
//     that went backwards. The engine cannot vouch for the call, so it
//     holds and returns the state unchanged (the log and State.Last never
//     go backwards).
//   - a rolled-back rollout answers Rollback and does not: the rollback
//     was logged when it happened.
//   - a complete rollout answers Done and does not, unless a trigger fires
//     (then the halt or rollback is logged).
//   - every answer on a running or halted rollout does, through finish
//     (logged skips an entry that repeats the last one).
func (d *decider) decide(ctx context.Context) Decision {
	f, st, now := d.f, &d.st, d.now
	plan := f.plan
	if st.RolloutID != f.rollout {
		return d.refuse(time.Time{}, "state belongs to rollout %q, not %q", st.RolloutID, f.rollout)
	}
	if st.Phase == RolledBack {
		return d.stepRolledBack()
	}
	if st.Ring < 0 || st.Ring >= len(plan.Rings) || st.Step < -1 || st.Step >= plan.Steps(st.Ring) {
		return d.refuse(time.Time{}, "state position ring %d step %d is not in plan %q", st.Ring, st.Step, plan.Name)
	}
	if !recordable(now) {
		return d.refuse(time.Time{}, "time %s is outside the years %04d-%04d a state can record", now.UTC().Format(time.RFC3339), minYear, maxYear)
	}
	switch st.Phase {
	case Complete:
		return d.stepComplete()
	case Halted:
		return d.stepHalted()
	case Running:
		return d.stepRunning(ctx)
	}
	return d.refuse(time.Time{}, "unknown phase %q", st.Phase)
}

// refuse holds without touching the state or its log.
func (d *decider) refuse(next time.Time, format string, args ...any) Decision {
	d.add(engineRule, Source{}, format, args...)
	return Decision{Action: Hold, Reasons: d.reasons, Next: next, State: d.st}
}

// stepRolledBack answers for a rolled-back rollout: roll back, always.
func (d *decider) stepRolledBack() Decision {
	d.add(engineRule, Source{}, "rolled back: %s", d.st.Stopped)
	return Decision{Action: Rollback, Reasons: d.reasons, State: d.st}
}

// stepComplete answers for a complete rollout. It still answers to its
// triggers: deferred tenants may not have the update yet, and a rollback
// is never too late.
func (d *decider) stepComplete() Decision {
	st, plan := &d.st, d.f.plan
	if st.PlanDigest == plan.digest && !d.now.Before(st.Last) && !d.obs.At.After(d.now) {
		if a, fired := d.triggers(); fired {
			st.Last = d.now
			return d.stop(a)
		}
	}
	d.reasons = d.reasons[:0]
	d.addText(plan.rules.plan, plan.Src, "every ring is complete")
	return Decision{Action: Done, Reasons: d.reasons, State: d.st}
}

// live runs what a running and a halted rollout share: the clock, the
// plan, the observation's time and the triggers. It returns the decision
// when one of them decides.
func (d *decider) live() (Decision, bool) {
	st, plan, now := &d.st, d.f.plan, d.now
	if now.Before(st.Last) {
		return d.refuse(st.Last, "%s", backwardsMessage(now, st.Last)), true
	}
	st.Last = now
	if st.PlanDigest != plan.digest {
		d.add(plan.rules.plan, plan.Src, "plan changed under a running rollout (state has %s, plan is %s): adopt it to continue", st.PlanDigest, plan.digest)
		return d.hold(time.Time{}), true
	}
	if d.obs.At.After(now) {
		d.add(engineRule, Source{}, "observation is from the future (%s after now)", d.obs.At.Sub(now))
		return d.hold(time.Time{}), true
	}
	// Triggers run first and on every call: a rollback outranks everything.
	if a, fired := d.triggers(); fired {
		return d.stop(a), true
	}
	return Decision{}, false
}

// stepHalted answers for a halted rollout: it waits for Resume, and its
// triggers may still roll it back.
func (d *decider) stepHalted() Decision {
	if dec, done := d.live(); done {
		return dec
	}
	var buf [128]byte
	d.addBytes(engineRule, Source{}, append(append(append(buf[:0], "halted: "...), d.st.Stopped...), "; waiting for an explicit resume"...))
	return d.finish(Halt, time.Time{})
}

// stepRunning answers for a running rollout: hold, advance, complete, or
// halt or roll back on a trigger or a gate.
func (d *decider) stepRunning(ctx context.Context) Decision {
	if dec, done := d.live(); done {
		return dec
	}
	f, st, now := d.f, &d.st, d.now
	plan := f.plan
	d.checkObservation()
	missing := len(d.reasons) > 0 // triggers reported missing signals, or counts are invalid
	if st.Paused {
		if expiry, set := d.pauseExpiry(); set {
			if !now.Before(expiry) {
				return d.pauseExpired()
			}
			var buf [128]byte
			d.addBytes("pause", Source{}, append(append(buf[:0], "paused by hand: "...), st.PauseReason...))
			return d.hold(expiry)
		}
		var buf [128]byte
		d.addBytes("pause", Source{}, append(append(buf[:0], "paused by hand: "...), st.PauseReason...))
		return d.hold(time.Time{})
	}
	if missing {
		return d.hold(time.Time{})
	}
	for k := range plan.Blackouts {
		b := &plan.Blackouts[k]
		if b.Applies(st.Update.Urgency) && !now.Before(b.From) && now.Before(b.To) {
			var buf [64]byte
			d.addBytes(plan.rules.blackouts[k], b.Src, b.To.UTC().AppendFormat(append(buf[:0], "frozen until "...), time.RFC3339))
			return d.hold(b.To)
		}
	}
	ring := &plan.Rings[st.Ring]
	ringRule := plan.rules.rings[st.Ring]
	if st.Step >= 0 {
		bake := plan.StepBake(st.Ring, st.Step, st.Update.Urgency)
		if end := st.StepStarted.Add(bake); now.Before(end) {
			// No "time left" in the message: it would make every poll a new
			// audit log entry.
			var buf [64]byte
			b := strconv.AppendInt(append(buf[:0], "step "...), int64(st.Step+1), 10)
			d.addBytes(ringRule, ring.Src, end.UTC().AppendFormat(append(b, " baking until "...), time.RFC3339))
			return d.hold(end)
		}
		if !d.healthy(ring, ringRule) || !d.evidence(ring, ringRule) {
			return d.hold(time.Time{})
		}
	} else if st.Ring == 0 && plan.StartDelay > 0 {
		if end, wait := d.startDelay(); wait {
			return d.hold(end)
		}
	}
	// Where next?
	nr, ns := st.Ring, st.Step+1
	if ns >= plan.Steps(nr) {
		if ring.Cover != nil && !d.covered(ring, ringRule) {
			return d.hold(time.Time{})
		}
		nr, ns = nr+1, 0
	}
	if nr == len(plan.Rings) {
		st.Phase = Complete
		d.addText(plan.rules.plan, plan.Src, "every ring is complete")
		return d.finish(Done, time.Time{})
	}
	next := &plan.Rings[nr]
	if (nr != st.Ring || st.Step < 0) && !d.ringHasHosts(nr) {
		return d.hold(time.Time{})
	}
	if len(next.ApproveSteps) > 0 && !d.stepApproved(nr, ns) {
		return d.hold(time.Time{})
	}
	if (nr != st.Ring || st.Step < 0) && next.Approval {
		if !slices.ContainsFunc(d.obs.Approvals, func(a Approval) bool { return a.Ring == next.Name && a.Step == 0 && approvalCounts(a, st.Started, now) }) {
			msg := "entering this ring needs a human approval"
			if slices.ContainsFunc(d.obs.Approvals, func(a Approval) bool { return a.Ring == next.Name }) {
				msg += " (an approval dated before the rollout started or after now does not count)"
			}
			d.addText(plan.rules.rings[nr], next.Src, msg)
			return d.hold(time.Time{})
		}
	}
	if a, stop := d.gates(ctx, nr, ns); stop {
		if a == Hold {
			return d.hold(time.Time{})
		}
		return d.stop(a)
	}
	pct, capped := plan.StepPercent(nr, ns)
	msg := fmt.Sprintf("step %d: %g%% of the ring", ns+1, pct)
	if n := plan.StepHosts(nr, ns); n > 0 {
		msg = fmt.Sprintf("step %d: %d hosts of the ring", ns+1, n)
	}
	if capped {
		msg += fmt.Sprintf(", at most %g%% of any tenant", next.TenantCap)
	} else if next.TenantCap > 0 {
		msg += ", tenant cap lifted"
	}
	d.add(plan.rules.rings[nr], next.Src, "%s (%d hosts)", msg, f.Target(nr, ns))
	if nr == len(plan.Rings)-1 && st.GA.IsZero() {
		st.GA = now
	}
	st.Ring, st.RingName, st.Step, st.StepStarted = nr, next.Name, ns, now
	st.StepHours = stepHours(next, &d.obs)
	return d.finish(Advance, now.Add(plan.StepBake(nr, ns, st.Update.Urgency)))
}

// stop halts or rolls back.
func (d *decider) stop(a Action) Decision {
	st := &d.st
	if a == Rollback {
		st.Phase = RolledBack
	} else {
		st.Phase = Halted
	}
	st.Stopped = d.reasons[len(d.reasons)-1].String()
	return d.finish(a, time.Time{})
}

// healthy checks that enough updated hosts reported healthy and that the
// observation covers the current step.
func (d *decider) healthy(ring *Ring, rule string) bool {
	st, obs := &d.st, &d.obs
	// An observation from the instant the step started was taken before
	// any host of the step could update: it says nothing about the step,
	// and reusing it would let one observation advance twice.
	if !obs.At.After(st.StepStarted) {
		d.add(rule, ring.Src, "no observation since step %d started (latest is from %s)", st.Step+1, obs.At.UTC().Format(time.RFC3339))
		return false
	}
	if ring.NoHealthGate {
		return true // modelling a schedule without a health gate (bake.go)
	}
	u := obs.Updated
	healthy := min(u.Healthy, u.Hosts-u.Silent)
	// ceil(min_healthy x hosts), forgiving the rounding of the product
	// (0.55 x 100 is 55.00000000000001 in float64 and must need 55).
	need := int(math.Ceil(ring.minHealthy()*float64(max(u.Hosts, 1)) - 1e-9))
	if d.f.Target(st.Ring, st.Step) == 0 {
		need = min(need, healthy) // nothing to expose: nothing to hear from
	}
	if healthy < need {
		d.add(rule, ring.Src, "%d of %d updated hosts reported healthy (%d silent); the bake needs %d", max(healthy, 0), u.Hosts, u.Silent, need)
		return false
	}
	return true
}

// covered checks that every cover stratum of the ring reported healthy.
func (d *decider) covered(ring *Ring, rule string) bool {
	ri := &d.f.rings[d.st.Ring]
	var missing []string
	for _, s := range ri.strata {
		key := d.f.strata[s]
		if d.obs.Updated.Strata[key] < 1 {
			missing = append(missing, key)
		}
	}
	if len(missing) == 0 {
		return true
	}
	shown := missing[:min(len(missing), 3)]
	d.add(rule, ring.Src, "cover: %d strata have no healthy report yet (%q...)", len(missing), shown)
	return false
}

// gates consults every gate about entering (ring, step).
func (d *decider) gates(ctx context.Context, ring, step int) (Action, bool) {
	plan := d.f.plan
	if len(plan.Gates) == 0 {
		return 0, false
	}
	st := &d.st
	cur := Position{Index: st.Ring, Step: st.Step, Ring: plan.Rings[st.Ring].Name}
	if st.Step >= 0 {
		cur.Percent, cur.Capped = plan.StepPercent(st.Ring, st.Step)
	}
	prop := Position{Index: ring, Step: step, Ring: plan.Rings[ring].Name}
	prop.Percent, prop.Capped = plan.StepPercent(ring, step)
	in := GateInput{
		Now: d.now, Rollout: st.RolloutID, Plan: plan.Name, Update: st.Update,
		Current: cur, Proposed: prop, Approvals: d.obs.Approvals,
		State:    StateView{Phase: st.Phase, Started: st.Started, StepStarted: st.StepStarted},
		Observed: d.obs,
	}
	// severity: 0 lets the transition proceed, then hold, halt, rollback.
	severity := 0
	for k := range plan.Gates {
		g := &plan.Gates[k]
		rule := fmt.Sprintf("gate %q", g.Name)
		v, err := evalGate(ctx, g.Gate, in)
		if err == nil {
			err = v.check()
		}
		if err != nil {
			// The error's text goes to the audit log: no bytes JSON would alter.
			d.add(rule, g.Src, "gate failed, holding: %s", strings.ToValidUTF8(err.Error(), "\uFFFD"))
			severity = max(severity, 1)
			continue
		}
		for _, l := range v.Log {
			d.add(rule, g.Src, "print: %s", l)
		}
		for sev, msgs := range [][]GateMessage{1: v.Hold, 2: v.Halt, 3: v.Rollback} {
			for _, m := range msgs {
				src := m.Src
				if src == (Source{}) {
					src = g.Src
				}
				d.reasons = append(d.reasons, Reason{Rule: rule, Src: src, Message: gateActions[sev].String() + ": " + m.Msg})
				severity = max(severity, sev)
			}
		}
	}
	if severity == 0 {
		return 0, false
	}
	return gateActions[severity], true
}

var gateActions = [...]Action{Advance, Hold, Halt, Rollback}

// evalGate runs a gate, turning a panic into an error: gates fail closed.
func evalGate(ctx context.Context, g Gate, in GateInput) (v GateVerdict, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gate panicked: %v", r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return v, err
	}
	return g.Evaluate(ctx, in)
}

// approvalCounts reports whether an approval counts for a rollout started
// at started, asked at now. An approval dated before the rollout started
// is for another one; one dated after now is from a clock that disagrees
// with the caller's and is not trusted. An undated approval counts (Go
// callers that cannot date approvals keep working); date approvals so that
// an old one cannot be replayed.
func approvalCounts(a Approval, started, now time.Time) bool {
	return a.At.IsZero() || !a.At.Before(started) && !a.At.After(now)
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
