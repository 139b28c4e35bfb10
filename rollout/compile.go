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

// ValidationError is one problem found in a plan, with where it was written.
type ValidationError struct {
	Src     Source
	Rule    string // e.g. `ring "canary"`
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
	bad := func(src Source, rule, format string, args ...any) {
		errs = append(errs, &ValidationError{Src: src, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	planRule := fmt.Sprintf("rollout %q", p.Name)
	if p.Name == "" {
		bad(p.Src, "rollout", "a rollout needs a name")
	}
	if len(p.Rings) == 0 {
		bad(p.Src, planRule, "a rollout needs at least one ring")
	}
	if len(p.Rings) > maxRules || len(p.Tenants) > maxRules {
		bad(p.Src, planRule, "at most %d rings and %d tenants", maxRules, maxRules)
	}
	seen := map[string]bool{}
	for i := range p.Rings {
		r := &p.Rings[i]
		rule := fmt.Sprintf("ring %q", r.Name)
		if r.Name == "" {
			bad(r.Src, "ring", "a ring needs a name")
		} else if seen["ring "+r.Name] {
			bad(r.Src, rule, "duplicate ring name %q", r.Name)
		}
		seen["ring "+r.Name] = true
		validateSteps(r.Steps, func(f string, a ...any) { bad(r.Src, rule, f, a...) })
		if len(r.Steps) > maxSteps {
			bad(r.Src, rule, "at most %d steps, got %d", maxSteps, len(r.Steps))
		}
		if r.Bake <= 0 {
			bad(r.Src, rule, "bake must be positive, got %s", r.Bake)
		} else if r.Bake > MaxSpan {
			bad(r.Src, rule, "bake must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(r.Bake))
		}
		if r.TenantCap < 0 || r.TenantCap > 100 || math.IsNaN(r.TenantCap) {
			bad(r.Src, rule, "tenant_cap must be in (0, 100], got %g", r.TenantCap)
		}
		if r.MinHealthy < 0 || r.MinHealthy > 1 || math.IsNaN(r.MinHealthy) {
			bad(r.Src, rule, "min_healthy must be in (0, 1], got %g", r.MinHealthy)
		}
		validateSelector(r.Select, func(f string, a ...any) { bad(r.Src, rule, f, a...) })
	}
	for i := range p.Triggers {
		t := &p.Triggers[i]
		rule := fmt.Sprintf("trigger %q", t.Name)
		if t.Name == "" {
			bad(t.Src, "trigger", "a trigger needs a name")
		} else if seen["trigger "+t.Name] {
			bad(t.Src, rule, "duplicate trigger name %q", t.Name)
		}
		seen["trigger "+t.Name] = true
		if t.Action != Halt && t.Action != Rollback {
			bad(t.Src, rule, "action must be halt or rollback, got %s", t.Action)
		}
		if t.MinCount < 0 {
			bad(t.Src, rule, "min_count must not be negative")
		}
		switch t.Kind {
		case Absolute, Silence:
			if !(t.Threshold > 0 && t.Threshold < 1) {
				bad(t.Src, rule, "above must be a rate in (0, 1), got %g", t.Threshold)
			}
		case Baseline, SilenceBaseline:
			if !(t.Threshold > 1) || math.IsInf(t.Threshold, 0) {
				bad(t.Src, rule, "ratio must be greater than 1, got %g", t.Threshold)
			}
		case Sequential:
			if !(t.Alpha > 0 && t.Alpha < 0.5) {
				bad(t.Src, rule, "alpha must be in (0, 0.5), got %g", t.Alpha)
			}
			if !(t.Rate > 0) || math.IsInf(t.Rate, 0) {
				bad(t.Src, rule, "rate must be a positive number of events per host-hour, got %g", t.Rate)
			}
			if !(t.Ratio > 1) || math.IsInf(t.Ratio, 0) {
				bad(t.Src, rule, "ratio must be greater than 1, got %g", t.Ratio)
			}
		default:
			bad(t.Src, rule, "unknown trigger kind %d", t.Kind)
		}
		if !t.Kind.silence() && t.Signal == "" {
			bad(t.Src, rule, "a %s trigger needs a signal", t.Kind)
		}
	}
	for i := range p.Blackouts {
		b := &p.Blackouts[i]
		rule := fmt.Sprintf("blackout %q", b.Name)
		if seen["blackout "+b.Name] {
			bad(b.Src, rule, "duplicate blackout name %q", b.Name)
		}
		seen["blackout "+b.Name] = true
		if !recordable(b.From) || !recordable(b.To) {
			bad(b.Src, rule, "blackout must start and end within the years %04d-%04d, got %s to %s", minYear, maxYear, b.From.Format(time.RFC3339), b.To.Format(time.RFC3339))
		} else if !b.To.After(b.From) {
			bad(b.Src, rule, "blackout ends (%s) before it starts (%s)", b.To.Format(time.RFC3339), b.From.Format(time.RFC3339))
		}
	}
	for i := range p.Urgencies {
		u := &p.Urgencies[i]
		rule := fmt.Sprintf("urgency %q", u.Name)
		if seen["urgency "+u.Name] {
			bad(u.Src, rule, "duplicate urgency name %q", u.Name)
		}
		seen["urgency "+u.Name] = true
		if !(u.BakeScale > 0 && u.BakeScale <= 1) {
			bad(u.Src, rule, "bake_scale must be in (0, 1], got %g", u.BakeScale)
		}
	}
	for i := range p.Tenants {
		t := &p.Tenants[i]
		rule := fmt.Sprintf("tenant %q", t.Name)
		if t.Name == "" {
			bad(t.Src, "tenant", "a tenant needs a name")
		} else if seen["tenant "+t.Name] {
			bad(t.Src, rule, "duplicate tenant name %q", t.Name)
		}
		seen["tenant "+t.Name] = true
		if t.Defer < 0 {
			bad(t.Src, rule, "defer must not be negative, got %s", t.Defer)
		} else if t.Defer > MaxSpan {
			bad(t.Src, rule, "defer must be at most %s, got %s", fmtSpan(MaxSpan), fmtSpan(t.Defer))
		}
		validateSelector(t.Select, func(f string, a ...any) { bad(t.Src, rule, f, a...) })
		for j := range t.Maintenance {
			w := &t.Maintenance[j]
			src := w.Src
			if src == (Source{}) {
				src = t.Src
			}
			if w.Zone == nil {
				bad(src, rule, "maintenance window needs a time zone")
			}
			if w.Start < 0 || w.Start >= 24*time.Hour {
				bad(src, rule, "maintenance start must be within a day, got %s", w.Start)
			}
			if w.Length <= 0 || w.Length > 7*24*time.Hour {
				bad(src, rule, "maintenance window must last more than 0 and at most 168 hours, got %s", w.Length)
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
			bad(g.Src, rule, "duplicate gate name %q", g.Name)
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

// nominalLength sums the bakes of every step of every ring; ok is false
// when the sum does not fit a time.Duration.
func nominalLength(p *Plan) (total time.Duration, ok bool) {
	for i := range p.Rings {
		r := &p.Rings[i]
		if r.Bake <= 0 || r.Bake > MaxSpan {
			continue // reported on its own
		}
		n := len(r.Steps)
		if r.TenantCap > 0 {
			n++ // the release step
		}
		for range n {
			if total > math.MaxInt64-r.Bake {
				return total, false
			}
			total += r.Bake
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

func validateSteps(steps []float64, bad func(string, ...any)) {
	if len(steps) == 0 {
		bad("steps must not be empty")
		return
	}
	for i, s := range steps {
		if !(s > 0 && s <= 100) {
			bad("step %g is outside (0, 100]", s)
		}
		if i > 0 && !(s > steps[i-1]) {
			bad("steps must be strictly increasing: %g follows %g", s, steps[i-1])
		}
	}
	if steps[len(steps)-1] != 100 {
		bad("steps must end at 100, got %g", steps[len(steps)-1])
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
		r.Cover = slices.Clone(r.Cover)
		r.Select = cloneSelector(r.Select)
	}
	p.Triggers = slices.Clone(p.Triggers)
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
	}
	for _, t := range p.Triggers {
		w("trigger %q %d %q %g %d %g %g %g %d", t.Name, t.Kind, t.Signal, t.Threshold, t.MinCount, t.Rate, t.Ratio, t.Alpha, t.Action)
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
	return fmt.Sprintf("%016x", h.Sum64())
}
