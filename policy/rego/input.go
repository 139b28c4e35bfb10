package rego

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringwise/ringwise/rollout"
)

// InputValue returns the input document a gate sees for in: exactly what
// encoding/json makes of in (the same keys, omitempty and omitzero
// fields left out, times as RFC 3339 strings, a nil slice as null), built
// directly as an OPA value without a JSON round trip. See input.schema.json
// and the package doc for the fields.
//
// It fails, as json.Marshal does, on a time outside the years 0-9999 and
// on a NaN or infinite number.
func InputValue(in rollout.GateInput) (ast.Value, error) {
	b := inputBuilder{}
	v := b.object(
		"now", b.time(in.Now),
		"rollout", ast.StringTerm(in.Rollout),
		"plan", ast.StringTerm(in.Plan),
		"update", b.update(in.Update),
		"current", b.position(in.Current),
		"proposed", b.position(in.Proposed),
		"approvals", b.approvals(in.Approvals, false),
		"state", b.object(
			"phase", ast.StringTerm(string(in.State.Phase)),
			"started", b.time(in.State.Started),
			"step_started", b.time(in.State.StepStarted),
		),
		"observation", b.observation(in.Observed),
	)
	if b.err != nil {
		return nil, b.err
	}
	return v.Value, nil
}

// inputBuilder builds OPA terms, remembering the first error.
type inputBuilder struct {
	err error
}

// object builds an object from key, value pairs; a nil value leaves the
// key out (omitempty).
func (b *inputBuilder) object(kv ...any) *ast.Term {
	terms := make([][2]*ast.Term, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1].(*ast.Term)
		if v == nil {
			continue
		}
		terms = append(terms, [2]*ast.Term{ast.InternedTerm(kv[i].(string)), v})
	}
	return ast.NewTerm(ast.NewObject(terms...))
}

func (b *inputBuilder) time(t time.Time) *ast.Term {
	if y := t.Year(); y < 0 || y > 9999 {
		if b.err == nil {
			b.err = fmt.Errorf("rego: input: time %v has a year outside [0,9999]", t)
		}
		return ast.NullTerm()
	}
	return ast.StringTerm(t.Format(time.RFC3339Nano))
}

func (b *inputBuilder) float(f float64) *ast.Term {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if b.err == nil {
			b.err = fmt.Errorf("rego: input: unsupported number %v", f)
		}
		return ast.NullTerm()
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return ast.IntNumberTerm(int(f))
	}
	return ast.FloatNumberTerm(f)
}

func omitEmpty[T comparable](v T, t *ast.Term) *ast.Term {
	var zero T
	if v == zero {
		return nil
	}
	return t
}

func (b *inputBuilder) update(u rollout.Update) *ast.Term {
	return b.object(
		"id", ast.StringTerm(u.ID),
		"kind", ast.StringTerm(u.Kind),
		"urgency", omitEmpty(u.Urgency, ast.StringTerm(u.Urgency)),
	)
}

func (b *inputBuilder) position(p rollout.Position) *ast.Term {
	return b.object(
		"ring", ast.StringTerm(p.Ring),
		"ring_index", ast.IntNumberTerm(p.Index),
		"step", ast.IntNumberTerm(p.Step),
		"percent", b.float(p.Percent),
		"tenant_capped", omitEmpty(p.Capped, ast.BooleanTerm(true)),
	)
}

// approvals encodes a list of approvals; omit leaves an empty list out
// (omitempty), otherwise a nil list is null.
func (b *inputBuilder) approvals(as []rollout.Approval, omit bool) *ast.Term {
	if len(as) == 0 && omit {
		return nil
	}
	if as == nil {
		return ast.NullTerm()
	}
	terms := make([]*ast.Term, len(as))
	for i, a := range as {
		var at *ast.Term
		if !a.At.IsZero() {
			at = b.time(a.At)
		}
		terms[i] = b.object("ring", ast.StringTerm(a.Ring), "by", ast.StringTerm(a.By), "at", at)
	}
	return ast.ArrayTerm(terms...)
}

func (b *inputBuilder) observation(o rollout.Observation) *ast.Term {
	return b.object(
		"at", b.time(o.At),
		"updated", b.cohort(o.Updated),
		"baseline", b.cohort(o.Baseline),
		"approvals", b.approvals(o.Approvals, true),
	)
}

func (b *inputBuilder) cohort(c rollout.Cohort) *ast.Term {
	var signals, strata *ast.Term
	if len(c.Signals) > 0 {
		kv := make([][2]*ast.Term, 0, len(c.Signals))
		for _, k := range sortedKeys(c.Signals) {
			s := c.Signals[k]
			kv = append(kv, [2]*ast.Term{ast.StringTerm(k), b.object(
				"count", b.float(s.Count),
				"host_hours", omitEmpty(s.Hours, b.float(s.Hours)),
			)})
		}
		signals = ast.NewTerm(ast.NewObject(kv...))
	}
	if len(c.Strata) > 0 {
		kv := make([][2]*ast.Term, 0, len(c.Strata))
		for _, k := range sortedKeys(c.Strata) {
			kv = append(kv, [2]*ast.Term{ast.StringTerm(k), ast.IntNumberTerm(c.Strata[k])})
		}
		strata = ast.NewTerm(ast.NewObject(kv...))
	}
	return b.object(
		"hosts", ast.IntNumberTerm(c.Hosts),
		"healthy", ast.IntNumberTerm(c.Healthy),
		"silent", ast.IntNumberTerm(c.Silent),
		"signals", signals,
		"strata", strata,
	)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// inputCache holds the parts of the input document a Gate built last,
// with (a copy of) what they were built from: a controller asks the same
// gate about the same rollout again and again, and most parts (the update,
// the state, approvals, often the observation) do not change between
// calls. Terms are never modified once built, so they can be shared.
type inputCache struct {
	in                                            rollout.GateInput
	now, rollout, plan, update, current, proposed *ast.Term
	approvals, state, observation                 *ast.Term
	value                                         ast.Value
}

// inputValue is InputValue, reusing the parts of the last input that are
// the same (see inputCache).
func (g *Gate) inputValue(in rollout.GateInput) (ast.Value, error) {
	last := g.inputs.Load()
	if last == nil {
		last = &inputCache{}
	}
	b := inputBuilder{}
	c := &inputCache{}
	var reused int
	part := func(same bool, old *ast.Term, build func() *ast.Term) *ast.Term {
		if same && old != nil {
			reused++
			return old
		}
		return build()
	}
	l := &last.in
	c.now = part(in.Now == l.Now, last.now, func() *ast.Term { return b.time(in.Now) })
	c.rollout = part(in.Rollout == l.Rollout, last.rollout, func() *ast.Term { return ast.StringTerm(in.Rollout) })
	c.plan = part(in.Plan == l.Plan, last.plan, func() *ast.Term { return ast.StringTerm(in.Plan) })
	c.update = part(in.Update == l.Update, last.update, func() *ast.Term { return b.update(in.Update) })
	c.current = part(in.Current == l.Current, last.current, func() *ast.Term { return b.position(in.Current) })
	c.proposed = part(in.Proposed == l.Proposed, last.proposed, func() *ast.Term { return b.position(in.Proposed) })
	c.approvals = part(sameApprovals(in.Approvals, l.Approvals), last.approvals, func() *ast.Term { return b.approvals(in.Approvals, false) })
	c.state = part(in.State == l.State, last.state, func() *ast.Term {
		return b.object(
			"phase", ast.StringTerm(string(in.State.Phase)),
			"started", b.time(in.State.Started),
			"step_started", b.time(in.State.StepStarted),
		)
	})
	c.observation = part(sameObservation(in.Observed, l.Observed), last.observation, func() *ast.Term { return b.observation(in.Observed) })
	if b.err != nil {
		return nil, b.err
	}
	if reused == 9 && last.value != nil {
		return last.value, nil
	}
	c.value = b.object(
		"now", c.now,
		"rollout", c.rollout,
		"plan", c.plan,
		"update", c.update,
		"current", c.current,
		"proposed", c.proposed,
		"approvals", c.approvals,
		"state", c.state,
		"observation", c.observation,
	).Value
	c.in = in
	c.in.Approvals = slices.Clone(in.Approvals)
	c.in.Observed = cloneObservation(in.Observed)
	g.inputs.Store(c)
	return c.value, nil
}

func sameApprovals(a, b []rollout.Approval) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

func sameCohort(a, b rollout.Cohort) bool {
	return a.Hosts == b.Hosts && a.Healthy == b.Healthy && a.Silent == b.Silent &&
		(a.Signals == nil) == (b.Signals == nil) && maps.Equal(a.Signals, b.Signals) &&
		(a.Strata == nil) == (b.Strata == nil) && maps.Equal(a.Strata, b.Strata)
}

func sameObservation(a, b rollout.Observation) bool {
	return a.At == b.At && sameApprovals(a.Approvals, b.Approvals) && sameCohort(a.Updated, b.Updated) && sameCohort(a.Baseline, b.Baseline)
}

// cloneObservation copies the slices and maps of o, which the caller may
// change after the call.
func cloneObservation(o rollout.Observation) rollout.Observation {
	o.Approvals = slices.Clone(o.Approvals)
	o.Updated.Signals, o.Updated.Strata = maps.Clone(o.Updated.Signals), maps.Clone(o.Updated.Strata)
	o.Baseline.Signals, o.Baseline.Strata = maps.Clone(o.Baseline.Signals), maps.Clone(o.Baseline.Strata)
	return o
}
