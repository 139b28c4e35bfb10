package rollout

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ValidationError is one problem found in a plan, with where it was
// written: the rule's Src, and the attribute (Field, as the policy
// language names it: "bake", "steps", "hours") and list element (Elem,
// counted from 1) at fault, so that a loader can point at the value. Field
// is "" when the problem is with the rule as a whole, and Elem is 0 when it
// is with the whole value.
type ValidationError struct {
	Src     Source
	Rule    string // e.g. `ring "canary"`
	Field   string // e.g. "bake"; "" for the rule as a whole
	Elem    int    // 1-based element of a list Field; 0 for the whole value
	Message string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if s := e.Src.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	b.WriteString("rollout: ")
	if e.Rule != "" {
		b.WriteString(e.Rule)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Compile validates p and returns an immutable copy ready for use. Every
// problem is reported; the error joins one *ValidationError per problem
// (use errors.As or iterate with ValidationErrors).
func Compile(p Plan) (*Plan, error) {
	var errs []error
	badAt := func(src Source, rule, field string, elem int, format string, args ...any) {
		errs = append(errs, &ValidationError{Src: src, Rule: rule, Field: field, Elem: elem, Message: fmt.Sprintf(format, args...)})
	}
	bad := func(src Source, rule, format string, args ...any) { badAt(src, rule, "", 0, format, args...) }
	planRule := fmt.Sprintf("rollout %q", p.Name)
	if p.Name == "" {
		badAt(p.Src, "rollout", "name", 0, "a rollout needs a name")
	}
	if len(p.Rings) == 0 {
		bad(p.Src, planRule, "a rollout needs at least one ring")
	}
	if len(p.Rings) > maxRules || len(p.Tenants) > maxRules {
		bad(p.Src, planRule, "at most %d rings and %d tenants", maxRules, maxRules)
	}
	seen := map[string]bool{}
	p.Rings = slices.Clone(p.Rings) // generated steps must not reach the caller's rings
	validateTiming(&p, func(field, f string, a ...any) { badAt(p.Src, planRule, field, 0, f, a...) })
	for i := range p.Rings {
		r := &p.Rings[i]
		rule := fmt.Sprintf("ring %q", r.Name)
		genOK := true
		if r.generated() {
			steps := generateSteps(r, func(field string, elem int, f string, a ...any) {
				genOK = false
				badAt(r.Src, rule, field, elem, f, a...)
			})
			if genOK {
				r.Steps = steps
			}
		}
		if r.Name == "" {
			badAt(r.Src, "ring", "name", 0, "a ring needs a name")
		} else if seen["ring "+r.Name] {
			badAt(r.Src, rule, "name", 0, "duplicate ring name %q", r.Name)
		}
		seen["ring "+r.Name] = true
		if genOK {
			validateSteps(r.Steps, func(elem int, f string, a ...any) { badAt(r.Src, rule, "steps", elem, f, a...) })
		}
		if len(r.Steps) > maxSteps {
			badAt(r.Src, rule, "steps", 0, "at most %d steps, got %d", maxSteps, len(r.Steps))
		}
		if r.CanaryHosts < 0 {
			badAt(r.Src, rule, "canary_hosts", 0, "canary_hosts must be a positive number of hosts, got %d", r.CanaryHosts)
		}
		steps := r.baseSteps()
		if r.TenantCap > 0 {
			steps++ // the release step
		}
		validateApproveSteps(r, steps, func(field string, elem int, f string, a ...any) { badAt(r.Src, rule, field, elem, f, a...) })
		validateBakes(r, r.baseSteps(), func(field string, elem int, f string, a ...any) { badAt(r.Src, rule, field, elem, f, a...) })
		if r.TenantCap < 0 || r.TenantCap > 100 || math.IsNaN(r.TenantCap) {
			badAt(r.Src, rule, "tenant_cap", 0, "tenant_cap must be a percentage in (0, 100], got %g", r.TenantCap)
		}
		if r.MinHealthy < 0 || r.MinHealthy > 1 || math.IsNaN(r.MinHealthy) {
			badAt(r.Src, rule, "min_healthy", 0, "min_healthy must be a share in (0, 1], got %g", r.MinHealthy)
		}
		validateSelector(r.Select, func(f string, a ...any) { bad(r.Src, rule, f, a...) })
		validateRingEvidence(r, func(field, f string, a ...any) { badAt(r.Src, rule, field, 0, f, a...) })
	}
	for i := range p.Triggers {
		t := &p.Triggers[i]
		rule := fmt.Sprintf("trigger %q", t.Name)
		if t.Name == "" {
			badAt(t.Src, "trigger", "name", 0, "a trigger needs a name")
		} else if seen["trigger "+t.Name] {
			badAt(t.Src, rule, "name", 0, "duplicate trigger name %q", t.Name)
		}
		seen["trigger "+t.Name] = true
		if t.Action != Halt && t.Action != Rollback {
			badAt(t.Src, rule, "action", 0, "action must be halt or rollback, got %s", t.Action)
		}
		if t.MinCount < 0 {
			badAt(t.Src, rule, "min_count", 0, "min_count must not be negative, got %d", t.MinCount)
		}
		switch t.Kind {
		case Absolute, Silence:
			if !(t.Threshold > 0 && t.Threshold < 1) {
				badAt(t.Src, rule, "above", 0, "above must be a rate in (0, 1), events per updated host, got %g", t.Threshold)
			}
		case Baseline, SilenceBaseline:
			if !(t.Threshold > 1) || math.IsInf(t.Threshold, 0) {
				badAt(t.Src, rule, "ratio", 0, "ratio must be greater than 1, got %g", t.Threshold)
			}
		case Sequential:
			if !(t.Alpha > 0 && t.Alpha < 0.5) {
				badAt(t.Src, rule, "alpha", 0, "alpha, the false-alarm bound, must be in (0, 0.5), got %g", t.Alpha)
			}
			if !(t.Rate > 0) || math.IsInf(t.Rate, 0) {
				badAt(t.Src, rule, "rate", 0, "rate must be a positive number of events per host-hour, got %g", t.Rate)
			}
			if !(t.Ratio > 1) || math.IsInf(t.Ratio, 0) {
				badAt(t.Src, rule, "ratio", 0, "ratio must be greater than 1, got %g", t.Ratio)
			}
		default:
			bad(t.Src, rule, "unknown trigger kind %d", t.Kind)
		}
		validateTriggerEvidence(t, func(field string, f string, a ...any) { badAt(t.Src, rule, field, 0, f, a...) })
		if !t.Kind.silence() && t.Signal == "" {
			badAt(t.Src, rule, "signal", 0, "a %s trigger needs a signal", t.Kind)
		}
	}
	for i := range p.Blackouts {
		b := &p.Blackouts[i]
		rule := fmt.Sprintf("blackout %q", b.Name)
		if seen["blackout "+b.Name] {
			badAt(b.Src, rule, "name", 0, "duplicate blackout name %q", b.Name)
		}
		seen["blackout "+b.Name] = true
		if !recordable(b.From) || !recordable(b.To) {
			field := "to"
			if !recordable(b.From) {
				field = "from"
			}
			badAt(b.Src, rule, field, 0, "blackout must start and end within the years %04d-%04d, got %s to %s", minYear, maxYear, b.From.Format(time.RFC3339), b.To.Format(time.RFC3339))
		} else if !b.To.After(b.From) {
			badAt(b.Src, rule, "to", 0, "the blackout ends (%s) before it starts (%s); to must be after from", b.To.Format(time.RFC3339), b.From.Format(time.RFC3339))
		}
	}
	for i := range p.Urgencies {
		u := &p.Urgencies[i]
		rule := fmt.Sprintf("urgency %q", u.Name)
		if seen["urgency "+u.Name] {
			badAt(u.Src, rule, "name", 0, "duplicate urgency name %q", u.Name)
		}
		seen["urgency "+u.Name] = true
		if !(u.BakeScale > 0 && u.BakeScale <= 1) {
			badAt(u.Src, rule, "bake_scale", 0, "bake_scale must be in (0, 1]: an urgency may shorten bakes, never lengthen or skip them; got %g", u.BakeScale)
		}
	}
	for i := range p.Tenants {
		t := &p.Tenants[i]
		rule := fmt.Sprintf("tenant %q", t.Name)
		if t.Name == "" {
			badAt(t.Src, "tenant", "name", 0, "a tenant needs a name")
		} else if seen["tenant "+t.Name] {
			badAt(t.Src, rule, "name", 0, "duplicate tenant name %q", t.Name)
		}
		seen["tenant "+t.Name] = true
		if t.Defer < 0 {
			badAt(t.Src, rule, "defer", 0, "defer must not be negative, got %s", t.Defer)
		} else if t.Defer > MaxSpan {
			badAt(t.Src, rule, "defer", 0, "defer must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(t.Defer))
		}
		validateSelector(t.Select, func(f string, a ...any) { bad(t.Src, rule, f, a...) })
		validateDeferKinds(t, func(field, f string, a ...any) { badAt(t.Src, rule, field, 0, f, a...) })
		for j := range t.Maintenance {
			w := &t.Maintenance[j]
			src := w.Src
			if src == (Source{}) {
				src = t.Src
			}
			if w.Zone == nil {
				badAt(src, rule, "zone", 0, "maintenance window needs a time zone")
			}
			if w.Start < 0 || w.Start >= 24*time.Hour {
				badAt(src, rule, "start", 0, "maintenance start must be within a day, got %s", w.Start)
			}
			switch {
			case w.Length < 0:
				badAt(src, rule, "hours", 0, "the window would end before it starts: its length must be positive, got %s", w.Length)
			case w.Length < time.Minute:
				badAt(src, rule, "hours", 0, "a window of %s never opens; a window must last at least one minute (hours = 1/60)", w.Length)
			case w.Length > 7*24*time.Hour:
				badAt(src, rule, "hours", 0, "a window may last at most 168 hours (a week), got %s", w.Length)
			}
			for _, d := range w.Days {
				if d < time.Sunday || d > time.Saturday {
					bad(src, rule, "unknown weekday %d", d)
				}
			}
		}
	}
	for i := range p.Gates {
		g := &p.Gates[i]
		rule := fmt.Sprintf("gate %q", g.Name)
		if seen["gate "+g.Name] {
			badAt(g.Src, rule, "name", 0, "duplicate gate name %q", g.Name)
		}
		seen["gate "+g.Name] = true
		if g.Gate == nil {
			bad(g.Src, rule, "gate has no implementation")
		}
	}
	if total, ok := nominalLength(&p); !ok {
		bad(p.Src, planRule, "the rollout's nominal length (every step's bake, one after another) must be at most %s, got more than %s", fmtSpan(MaxSpan), fmtSpan(total))
	} else if total > MaxSpan {
		bad(p.Src, planRule, "the rollout's nominal length (every step's bake, one after another) must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(total))
	}
	errs = append(errs, textErrors(&p)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	q := clonePlan(p)
	q.digest = digest(&q)
	q.prepareRules()
	return &q, nil
}

// Limits of a plan, so that the fleet index stays compact.
const (
	maxSteps = 200
	maxRules = 10000
)

// MaxSpan is the longest bake, the longest deferral and the longest
// nominal length of a rollout (the sum of every step's bake) that Compile
// accepts: 87600h, ten years. Within it every offset of a schedule and
// every time the engine computes from a start in the years 0-9989 stays a
// valid time.Duration and a time a State can record.
const MaxSpan = 10 * 365 * 24 * time.Hour

// fmtSpan renders a duration in whole hours where it is one (87600h, not
// 87600h0m0s), as a policy writes it.
func fmtSpan(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// nominalLength sums the start delay and the bakes of every step of
// every ring; ok is false
// when the sum does not fit a time.Duration.
func nominalLength(p *Plan) (total time.Duration, ok bool) {
	if d := p.StartDelay; d > 0 && d <= MaxSpan {
		total = d
	}
	for i := range p.Rings {
		for j := range p.Steps(i) {
			bake := p.rawBake(i, j)
			if bake <= 0 || bake > MaxSpan {
				continue // reported on its own
			}
			if total > math.MaxInt64-bake {
				return total, false
			}
			total += bake
		}
	}
	return total, true
}

// textErrors reports every string of the plan that is not valid UTF-8:
// names reach the audit log and State, where JSON would silently replace
// the bad bytes.
func textErrors(p *Plan) []error {
	var errs []error
	check := func(src Source, rule, what, s string) {
		if !utf8.ValidString(s) {
			errs = append(errs, &ValidationError{Src: src, Rule: rule, Message: fmt.Sprintf("%s %q is not valid UTF-8", what, s)})
		}
	}
	sel := func(src Source, rule string, s Selector) {
		for _, m := range s {
			check(src, rule, "selector label", m.Key)
			for _, v := range m.Values {
				check(src, rule, "selector value", v)
			}
		}
	}
	// A file name that is not UTF-8 is reported without it.
	srcs := func(src Source, rule string) { check(Source{}, rule, "file name", src.File) }
	planRule := fmt.Sprintf("rollout %q", p.Name)
	check(p.Src, "rollout", "name", p.Name)
	srcs(p.Src, planRule)
	for _, k := range p.AppliesTo {
		check(p.Src, planRule, "update kind", k)
	}
	for _, r := range p.Rings {
		rule := fmt.Sprintf("ring %q", r.Name)
		check(r.Src, "ring", "name", r.Name)
		srcs(r.Src, rule)
		sel(r.Src, rule, r.Select)
		for _, c := range r.Cover {
			check(r.Src, rule, "cover label", c)
		}
	}
	for _, t := range p.Triggers {
		rule := fmt.Sprintf("trigger %q", t.Name)
		check(t.Src, "trigger", "name", t.Name)
		srcs(t.Src, rule)
		check(t.Src, rule, "signal", t.Signal)
	}
	for _, b := range p.Blackouts {
		rule := fmt.Sprintf("blackout %q", b.Name)
		check(b.Src, "blackout", "name", b.Name)
		srcs(b.Src, rule)
		for _, u := range b.Exempt {
			check(b.Src, rule, "urgency", u)
		}
	}
	for _, u := range p.Urgencies {
		check(u.Src, "urgency", "name", u.Name)
		srcs(u.Src, fmt.Sprintf("urgency %q", u.Name))
	}
	for _, t := range p.Tenants {
		rule := fmt.Sprintf("tenant %q", t.Name)
		check(t.Src, "tenant", "name", t.Name)
		srcs(t.Src, rule)
		sel(t.Src, rule, t.Select)
		for _, k := range t.OptOut {
			check(t.Src, rule, "update kind", k)
		}
		for _, w := range t.Maintenance {
			srcs(w.Src, rule)
		}
	}
	for _, g := range p.Gates {
		rule := fmt.Sprintf("gate %q", g.Name)
		check(g.Src, "gate", "name", g.Name)
		srcs(g.Src, rule)
		check(g.Src, rule, "digest", g.Digest)
	}
	return errs
}

// ValidationErrors returns the *ValidationError values joined in err.
func ValidationErrors(err error) []*ValidationError {
	var out []*ValidationError
	var walk func(error)
	walk = func(e error) {
		if ve, ok := e.(*ValidationError); ok {
			out = append(out, ve)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

func validateSteps(steps []float64, bad func(elem int, format string, args ...any)) {
	if len(steps) == 0 {
		bad(0, "steps must list at least one percentage; use [100] to expose the whole ring at once")
		return
	}
	for i, s := range steps {
		if !(s > 0 && s <= 100) {
			bad(i+1, "step %g is outside (0, 100]; steps are cumulative percentages of the ring", s)
			continue
		}
		if i > 0 && !(s > steps[i-1]) {
			bad(i+1, "steps must be strictly increasing: %g follows %g", s, steps[i-1])
		}
	}
	if last := steps[len(steps)-1]; last > 0 && last < 100 {
		bad(len(steps), "the last step must be 100 so that the ring completes, got %g", last)
	}
}

func validateSelector(s Selector, bad func(string, ...any)) {
	for i, m := range s {
		if m.Key == "" {
			bad("selector with an empty label name")
		}
		if len(m.Values) == 0 {
			bad("selector label %q lists no values", m.Key)
		}
		for j := range i {
			if s[j].Key == m.Key {
				bad("selector names label %q twice", m.Key)
			}
		}
	}
}

// clonePlan deep-copies the slices of p so that the compiled plan shares
// nothing with the caller's value.
func clonePlan(p Plan) Plan {
	p.AppliesTo = slices.Clone(p.AppliesTo)
	p.Rings = slices.Clone(p.Rings)
	for i := range p.Rings {
		r := &p.Rings[i]
		r.Steps = slices.Clone(r.Steps)
		r.Bakes = slices.Clone(r.Bakes)
		r.ApproveSteps = slices.Clone(r.ApproveSteps)
		r.Cover = slices.Clone(r.Cover)
		r.Select = cloneSelector(r.Select)
	}
	p.Triggers = slices.Clone(p.Triggers)
	for i := range p.Triggers {
		p.Triggers[i].By = slices.Clone(p.Triggers[i].By)
	}
	p.Blackouts = slices.Clone(p.Blackouts)
	for i := range p.Blackouts {
		p.Blackouts[i].Exempt = slices.Clone(p.Blackouts[i].Exempt)
	}
	p.Urgencies = slices.Clone(p.Urgencies)
	p.Tenants = slices.Clone(p.Tenants)
	for i := range p.Tenants {
		t := &p.Tenants[i]
		t.Select = cloneSelector(t.Select)
		t.OptOut = slices.Clone(t.OptOut)
		t.DeferKinds = slices.Clone(t.DeferKinds)
		t.Maintenance = slices.Clone(t.Maintenance)
		for j := range t.Maintenance {
			t.Maintenance[j].Days = slices.Clone(t.Maintenance[j].Days)
		}
	}
	p.Gates = slices.Clone(p.Gates)
	return p
}

func cloneSelector(s Selector) Selector {
	s = slices.Clone(s)
	for i := range s {
		s[i].Values = slices.Clone(s[i].Values)
	}
	return s
}

// digest hashes the plan's rules (not its source positions, so that moving
// a comment does not count as a change of plan). A trigger's Kind is part
// of it: a Silence and a SilenceBaseline trigger are different rules.
func digest(p *Plan) string {
	h := fnv.New64a()
	w := func(format string, args ...any) { fmt.Fprintf(h, format, args...); h.Write([]byte{0}) }
	w("plan %q %q", p.Name, p.AppliesTo)
	for _, r := range p.Rings {
		w("ring %q %s %v %d %q %g %g %t", r.Name, r.Select, r.Steps, r.Bake, r.Cover, r.TenantCap, r.MinHealthy, r.Approval)
		digestRingEvidence(w, &r)
	}
	for _, t := range p.Triggers {
		w("trigger %q %d %q %g %d %g %g %g %d", t.Name, t.Kind, t.Signal, t.Threshold, t.MinCount, t.Rate, t.Ratio, t.Alpha, t.Action)
		digestTriggerEvidence(w, &t)
	}
	for _, b := range p.Blackouts {
		w("blackout %q %d %d %q", b.Name, b.From.UnixNano(), b.To.UnixNano(), b.Exempt)
	}
	for _, u := range p.Urgencies {
		w("urgency %q %g", u.Name, u.BakeScale)
	}
	for _, t := range p.Tenants {
		w("tenant %q %s %d %q", t.Name, t.Select, t.Defer, t.OptOut)
		for _, m := range t.Maintenance {
			w("window %v %d %d %s", m.Days, m.Start, m.Length, m.Zone)
		}
	}
	for _, g := range p.Gates {
		w("gate %q %q", g.Name, g.Digest)
	}
	if v2 := digestV2(p); v2 != "" {
		w("%s", v2)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
