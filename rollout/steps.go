package rollout

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Step generators, per-step bakes, the final bake and the start delay:
// the forms of a schedule that other rollout systems publish (AWS
// AppConfig's linear and exponential strategies with a final bake, Apple's
// phased release with a bake a day), each checked by Compile and expanded
// there so that the engine and the host call see plain Steps.

// DefaultFactor is the growth factor of an exponential step generator
// that does not set Factor: each step doubles the last, as AWS AppConfig's
// exponential strategies do (G*2^N).
const DefaultFactor = 2

// GenerateSteps returns the steps a linear (every percent a step) or
// exponential (first percent, times factor a step) generator expands to:
// strictly increasing, each in (0, 100], the last exactly 100. Exactly
// one of linear and exponential must be positive; factor 0 means
// DefaultFactor. It returns an error, and no steps, for a generator that
// Compile would refuse.
func GenerateSteps(linear, exponential, factor float64) ([]float64, error) {
	r := Ring{Linear: linear, Exponential: exponential, Factor: factor}
	if !r.generated() {
		return nil, fmt.Errorf("rollout: no step generator: give linear or exponential")
	}
	var msgs []string
	steps := generateSteps(&r, func(_ string, _ int, format string, args ...any) {
		msgs = append(msgs, fmt.Sprintf(format, args...))
	})
	if len(msgs) > 0 {
		return nil, fmt.Errorf("rollout: %s", strings.Join(msgs, "; "))
	}
	return steps, nil
}

// generated reports whether the ring's steps come from a generator.
func (r *Ring) generated() bool { return r.Linear != 0 || r.Exponential != 0 || r.Factor != 0 }

// generateSteps expands the ring's generator, reporting misuse through
// bad (field, element, message). It returns nil when there is nothing to
// expand or the generator is invalid.
func generateSteps(r *Ring, bad func(field string, elem int, format string, args ...any)) []float64 {
	if !r.generated() {
		return nil
	}
	ok := true
	if len(r.Steps) > 0 {
		bad("steps", 0, "steps lists percentages and also asks for a generator (linear or exponential); give one or the other")
		ok = false
	}
	if r.Linear != 0 && r.Exponential != 0 {
		bad("steps", 0, "a step generator is either linear or exponential, not both")
		return nil
	}
	if r.Linear == 0 && r.Exponential == 0 {
		bad("steps", 0, "factor applies only to an exponential step generator; add exponential (the first step's percentage)")
		return nil
	}
	pctOK := func(name string, v float64) bool {
		if !(v > 0 && v <= 100) {
			bad("steps", 0, "%s must be a percentage in (0, 100], got %g", name, v)
			return false
		}
		return true
	}
	var n float64 // how many steps the generator makes
	if r.Linear != 0 {
		if r.Factor != 0 {
			bad("steps", 0, "factor applies only to an exponential step generator, not to linear")
			ok = false
		}
		if !pctOK("linear", r.Linear) {
			return nil
		}
		n = math.Ceil(100 / r.Linear)
	} else {
		f := r.Factor
		if f == 0 {
			f = DefaultFactor
		}
		if !(f > 1) || math.IsInf(f, 0) {
			bad("steps", 0, "factor must be greater than 1, got %g; each step must expose more hosts than the last", f)
			return nil
		}
		if !pctOK("exponential", r.Exponential) {
			return nil
		}
		n = math.Ceil(math.Log(100/r.Exponential)/math.Log(f)) + 1
	}
	if n > maxSteps {
		bad("steps", 0, "the generator makes %.0f steps, more than the %d a ring may have", n, maxSteps)
		return nil
	}
	if !ok {
		return nil
	}
	var steps []float64
	if r.Linear != 0 {
		for k := 1; ; k++ {
			v := roundPercent(float64(k) * r.Linear)
			if v >= 100 {
				break
			}
			steps = append(steps, v)
		}
	} else {
		f := r.Factor
		if f == 0 {
			f = DefaultFactor
		}
		for v := r.Exponential; ; v *= f {
			p := roundPercent(v)
			if p >= 100 {
				break
			}
			if len(steps) == 0 || p > steps[len(steps)-1] {
				steps = append(steps, p)
			}
		}
	}
	return append(steps, 100)
}

// roundPercent rounds to a millionth of a percent, so that 3 x 0.1 is 0.3
// and a generated step reads as written.
// A percentage too small for that keeps every digit.
func roundPercent(v float64) float64 {
	if r := math.Round(v*1e6) / 1e6; r > 0 {
		return r
	}
	return v
}

// validateBakes checks a ring's Bake and Bakes (their count against the
// steps, n, each positive and at most MaxSpan).
func validateBakes(r *Ring, n int, bad func(field string, elem int, format string, args ...any)) {
	if len(r.Bakes) == 0 {
		if r.Bake <= 0 {
			bad("bake", 0, "bake must be a positive duration, got %s; every step must run for a while before the next", r.Bake)
		} else if r.Bake > MaxSpan {
			bad("bake", 0, "bake must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(r.Bake))
		}
		return
	}
	if r.Bake != 0 {
		bad("bakes", 0, "bake and bakes are both given; give bake (every step the same) or bakes (one per step)")
	}
	if n > 0 && len(r.Bakes) != n {
		bad("bakes", 0, "bakes lists %d durations for %d steps; give one per step", len(r.Bakes), n)
	}
	for k, b := range r.Bakes {
		if b <= 0 {
			bad("bakes", k+1, "bake %d must be a positive duration, got %s; every step must run for a while before the next", k+1, b)
		} else if b > MaxSpan {
			bad("bakes", k+1, "bake %d must be at most %s, got %s", k+1, fmtSpan(MaxSpan), fmtSpan(b))
		}
	}
}

// validateTiming checks the plan's StartDelay and FinalBake.
func validateTiming(p *Plan, bad func(field string, format string, args ...any)) {
	if p.StartDelay < 0 {
		bad("start_delay", "start_delay must not be negative, got %s", p.StartDelay)
	} else if p.StartDelay > MaxSpan {
		bad("start_delay", "start_delay must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(p.StartDelay))
	}
	if p.PauseLimit < 0 {
		bad("pause_limit", "pause_limit must not be negative, got %s", p.PauseLimit)
	} else if p.PauseLimit > MaxSpan {
		bad("pause_limit", "pause_limit must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(p.PauseLimit))
	}
	if p.FinalBake < 0 {
		bad("final_bake", "final_bake must not be negative, got %s", p.FinalBake)
	} else if p.FinalBake > MaxSpan {
		bad("final_bake", "final_bake must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(p.FinalBake))
	}
}

// rawBake is how long step j of ring i bakes at routine urgency: the
// final bake for the very last step, else the step's own bake, else the
// ring's.
func (p *Plan) rawBake(i, j int) time.Duration {
	if p.FinalBake > 0 && i == len(p.Rings)-1 && j == p.Steps(i)-1 {
		return p.FinalBake
	}
	r := &p.Rings[i]
	if n := len(r.Bakes); n > 0 {
		return r.Bakes[min(j, n-1)]
	}
	return r.Bake
}

// scaled applies an urgency's bake scale to a wait.
func (p *Plan) scaled(d time.Duration, urgency string) time.Duration {
	if s := p.bakeScale(urgency); s != 1 && d > 0 {
		// At least a nanosecond: a step that bakes for no time at all would
		// let one observation advance the rollout twice at the same instant.
		d = max(time.Duration(float64(d)*s), time.Nanosecond)
	}
	return d
}

// StepBake returns how long step j of ring i must bake for an update of
// urgency: the plan's FinalBake for the very last step when set, else the
// step's entry in Ring.Bakes (the release step of a tenant cap takes the
// last), else Ring.Bake; scaled by the urgency's bake scale.
func (p *Plan) StepBake(i, j int, urgency string) time.Duration {
	return p.scaled(p.rawBake(i, j), urgency)
}

// StartDelayFor returns how long after the start the first step begins
// for an update of urgency: Plan.StartDelay, scaled as bakes are.
func (p *Plan) StartDelayFor(urgency string) time.Duration {
	return p.scaled(p.StartDelay, urgency)
}

// digestV2 renders the rules added by the second version of the policy
// language, or "" when a plan uses none of them, so that the digest of
// a plan written before them does not change (a running rollout would
// otherwise hold on a plan that did not change).
func digestV2(p *Plan) string {
	var b strings.Builder
	if p.StartDelay != 0 || p.FinalBake != 0 {
		fmt.Fprintf(&b, "timing %d %d;", p.StartDelay, p.FinalBake)
	}
	if p.PauseLimit != 0 {
		fmt.Fprintf(&b, "pause_limit %d;", p.PauseLimit)
	}
	for i := range p.Tenants {
		if t := &p.Tenants[i]; len(t.DeferKinds) > 0 {
			fmt.Fprintf(&b, "tenant %d %v;", i, t.DeferKinds)
		}
	}
	for i := range p.Rings {
		r := &p.Rings[i]
		if len(r.Bakes) > 0 || r.generated() || r.CanaryHosts != 0 || len(r.ApproveSteps) > 0 {
			fmt.Fprintf(&b, "ring %d %v %g %g %g %d %v;", i, r.Bakes, r.Linear, r.Exponential, r.Factor, r.CanaryHosts, r.ApproveSteps)
		}
	}
	return b.String()
}

// startDelay holds the first step until the plan's start delay has run
// from the start (or from the adoption of a new plan); wait is false once
// it has.
func (d *decider) startDelay() (end time.Time, wait bool) {
	plan := d.f.plan
	end = d.st.StepStarted.Add(plan.StartDelayFor(d.st.Update.Urgency))
	if !d.now.Before(end) {
		return end, false
	}
	var buf [64]byte
	d.addBytes(plan.rules.plan, plan.Src, end.UTC().AppendFormat(append(buf[:0], "start_delay: first step at "...), time.RFC3339))
	return end, true
}

// baseSteps is the number of steps of the ring before a tenant cap's
// release step: its canary step of a number of hosts, if any, and Steps.
func (r *Ring) baseSteps() int {
	if r.CanaryHosts > 0 {
		return len(r.Steps) + 1
	}
	return len(r.Steps)
}

// StepHosts returns the number of hosts step j of ring i asks for when it
// is a step of a number of hosts (Ring.CanaryHosts), else 0.
func (p *Plan) StepHosts(i, j int) int {
	if r := &p.Rings[i]; r.CanaryHosts > 0 && j == 0 {
		return r.CanaryHosts
	}
	return 0
}

// quotas returns how many hosts of a ring of m hosts each step before the
// release exposes, tenant cap aside: the canary count (at most m), then
// each percentage's share, never fewer than the canary.
func (r *Ring) quotas(m int) []int {
	out := make([]int, 0, r.baseSteps())
	floor := 0
	if r.CanaryHosts > 0 {
		floor = min(r.CanaryHosts, m)
		out = append(out, floor)
	}
	for _, p := range r.Steps {
		out = append(out, max(share(p, m), floor))
	}
	return out
}

// KindDefer is a tenant's deferral for one update kind.
type KindDefer struct {
	Kind  string
	Defer time.Duration
}

// DeferFor returns the tenant's deferral for an update of kind: its
// DeferKinds entry for the kind, else Defer. It does not allocate.
func (t *Tenant) DeferFor(kind string) time.Duration {
	for i := range t.DeferKinds {
		if t.DeferKinds[i].Kind == kind {
			return t.DeferKinds[i].Defer
		}
	}
	return t.Defer
}

// validateDeferKinds checks a tenant's per-kind deferrals.
func validateDeferKinds(t *Tenant, bad func(field string, format string, args ...any)) {
	for i, k := range t.DeferKinds {
		switch {
		case k.Kind == "":
			bad("defer_kinds", "defer_kinds names an empty update kind")
		case slices.ContainsFunc(t.DeferKinds[:i], func(o KindDefer) bool { return o.Kind == k.Kind }):
			bad("defer_kinds", "defer_kinds names kind %q twice", k.Kind)
		}
		if k.Defer < 0 {
			bad("defer_kinds", "the deferral of kind %q must not be negative, got %s", k.Kind, k.Defer)
		} else if k.Defer > MaxSpan {
			bad("defer_kinds", "the deferral of kind %q must be at most %s, got %s", k.Kind, fmtSpan(MaxSpan), fmtSpan(k.Defer))
		}
	}
}

// stepApproved reports whether step ns of ring nr may be taken: it needs
// no approval, or the observation carries one naming the ring and the
// step, dated within the rollout. When not, it adds the reason.
func (d *decider) stepApproved(nr, ns int) bool {
	plan := d.f.plan
	r := &plan.Rings[nr]
	if !slices.Contains(r.ApproveSteps, ns+1) {
		return true
	}
	st := &d.st
	named := func(a Approval) bool { return a.Ring == r.Name && a.Step == ns+1 }
	if slices.ContainsFunc(d.obs.Approvals, func(a Approval) bool { return named(a) && approvalCounts(a, st.Started, d.now) }) {
		return true
	}
	msg := fmt.Sprintf("step %d needs a human approval of this ring and step (a manual promotion)", ns+1)
	if slices.ContainsFunc(d.obs.Approvals, named) {
		msg += " (an approval dated before the rollout started or after now does not count)"
	}
	d.addText(plan.rules.rings[nr], r.Src, msg)
	return false
}

// validateApproveSteps checks a ring's ApproveSteps against its n steps.
func validateApproveSteps(r *Ring, n int, bad func(field string, elem int, format string, args ...any)) {
	for k, s := range r.ApproveSteps {
		switch {
		case s < 2 || s > n:
			bad("approve_steps", k+1, "approve_steps names step %d; steps are counted from 1 and this ring has %d: use 2 to %d (approval = true gates step 1, entering the ring)", s, n, n)
		case slices.Contains(r.ApproveSteps[:k], s):
			bad("approve_steps", k+1, "approve_steps names step %d twice", s)
		}
	}
}

// endPause adds the pause that ends at now to st.PausedFor.
func endPause(st *State, now time.Time) {
	if st.Paused && !st.PausedAt.IsZero() && now.After(st.PausedAt) {
		st.PausedFor += now.Sub(st.PausedAt)
	}
	st.PausedAt = time.Time{}
}

// pauseExpiry returns when the current pause runs out of the plan's
// PauseLimit; set is false when there is no limit or no pause start.
func (d *decider) pauseExpiry() (expiry time.Time, set bool) {
	lim := d.f.plan.PauseLimit
	if lim <= 0 || d.st.PausedAt.IsZero() {
		return time.Time{}, false
	}
	return d.st.PausedAt.Add(max(lim-d.st.PausedFor, 0)), true
}

// pauseExpired halts a rollout whose pause outlived the plan's
// PauseLimit: the pause ends, and a person must resume.
func (d *decider) pauseExpired() Decision {
	st, plan := &d.st, d.f.plan
	endPause(st, d.now)
	st.Paused, st.PauseReason = false, ""
	d.add(plan.rules.plan, plan.Src, "paused for %s in all, the pause_limit (%s): halted; resume to continue", st.PausedFor, plan.PauseLimit)
	return d.stop(Halt)
}
