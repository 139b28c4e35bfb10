package policy

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/rollout"
)

// generatorKeys are the attributes of a step generator, the object form
// of a ring's steps: steps = { linear = 20 } or
// steps = { exponential = 10, factor = 2 }.
var generatorKeys = []string{"linear", "exponential", "factor"}

// decodeSteps decodes a ring's steps: a list of percentages, or a step
// generator object. Ranges are rollout.Compile's to check.
func (l *loader) decodeSteps(r *rollout.Ring, a *hcl.Attribute) {
	if a == nil {
		l.at(r.Src, "steps", nil, false)
		return
	}
	if pairs, d := hcl.ExprMap(a.Expr); !d.HasErrors() {
		ok := l.decodeGenerator(r, a, pairs)
		l.at(r.Src, "steps", a, ok)
		return
	}
	steps, rngs, ok := l.dec.NumberList(a)
	l.at(r.Src, "steps", a, ok)
	if ok {
		r.Steps = steps
		for i, rng := range rngs {
			l.fields[fieldKey{r.Src, "steps", i + 1}] = rng
		}
	}
}

// decodeGenerator decodes steps = { linear = N } or
// steps = { exponential = N, factor = F }.
func (l *loader) decodeGenerator(r *rollout.Ring, a *hcl.Attribute, pairs []hcl.KeyValuePair) bool {
	ok := true
	seen := map[string]bool{}
	for _, kv := range pairs {
		kval, d := kv.Key.Value(nil)
		if d.HasErrors() || kval.IsNull() || !kval.Type().Equals(cty.String) {
			l.errorf(kv.Key.Range(), "Invalid step generator", "A step generator's keys are names: linear, exponential or factor.")
			ok = false
			continue
		}
		key := kval.AsString()
		if seen[key] {
			l.errorf(kv.Key.Range(), "Invalid step generator", "%q is given twice.", key)
			ok = false
			continue
		}
		seen[key] = true
		attr := &hcl.Attribute{Name: key, Expr: kv.Value, Range: kv.Value.Range(), NameRange: kv.Key.Range()}
		var dst *float64
		switch key {
		case "linear":
			dst = &r.Linear
		case "exponential":
			dst = &r.Exponential
		case "factor":
			dst = &r.Factor
		default:
			msg := fmt.Sprintf("%q is not a step generator attribute; use linear (percent added each step) or exponential (the first step's percent) with an optional factor.", key)
			if s := suggest(key, generatorKeys); s != "" {
				msg += fmt.Sprintf(" Did you mean %q?", s)
			}
			l.errorf(kv.Key.Range(), "Invalid step generator", "%s", msg)
			ok = false
			continue
		}
		v, vok := l.dec.Number(attr)
		if !vok {
			ok = false
			continue
		}
		if v == 0 {
			// Zero means "not set" in a rollout.Ring; written, it is out
			// of range.
			l.errorf(kv.Value.Range(), "Invalid steps", "%s must be positive, got 0.", key)
			ok = false
			continue
		}
		*dst = v
	}
	if len(pairs) == 0 {
		l.errorf(a.Expr.Range(), "Invalid steps", "An empty step generator; write steps = [1, 10, 100], steps = { linear = 20 } or steps = { exponential = 10 }.")
		ok = false
	} else if ok && r.Linear == 0 && r.Exponential == 0 {
		l.errorf(a.Expr.Range(), "Invalid steps", "A step generator needs linear (percent added each step) or exponential (the first step's percent); factor alone generates nothing.")
		ok = false
	}
	return ok
}

// decodeBakes decodes a ring's bake and bakes: one of them is required.
func (l *loader) decodeBakes(r *rollout.Ring, b *hcl.Block, attrs hcl.Attributes) {
	a := attrs["bake"]
	var ok bool
	if a != nil {
		r.Bake, ok = l.dec.Duration(a)
	}
	l.at(r.Src, "bake", a, ok)
	bs := attrs["bakes"]
	if bs == nil {
		if a == nil {
			l.errorf(b.Body.MissingItemRange(), "Missing required argument", `The argument "bake" is required (or "bakes", one duration per step).`)
		}
		return
	}
	list, lok := l.dec.StringList(bs)
	l.at(r.Src, "bakes", bs, lok)
	if !lok {
		return
	}
	rngs := hclattr.ElementRanges(bs, len(list))
	out := make([]time.Duration, len(list))
	for i, s := range list {
		l.fields[fieldKey{r.Src, "bakes", i + 1}] = rngs[i]
		d, err := ParseDuration(s)
		if err != nil {
			l.errorf(rngs[i], "Invalid duration", "%s.", err)
			l.failed[fieldKey{r.Src, "bakes", 0}] = true
			return
		}
		out[i] = d
	}
	if len(list) == 0 {
		l.errorf(bs.Expr.Range(), "Invalid bakes", "bakes lists no durations; give one per step, or use bake.")
		l.failed[fieldKey{r.Src, "bakes", 0}] = true
		return
	}
	r.Bakes = out
}

// decodeTiming decodes a rollout's start_delay, final_bake and pause_limit.
func (l *loader) decodeTiming(p *rollout.Plan, attrs hcl.Attributes) {
	for _, x := range []struct {
		name string
		dst  *time.Duration
	}{{"start_delay", &p.StartDelay}, {"final_bake", &p.FinalBake}, {"pause_limit", &p.PauseLimit}} {
		a := attrs[x.name]
		if a == nil {
			continue
		}
		v, ok := l.dec.Duration(a)
		l.at(p.Src, x.name, a, ok)
		if ok && v == 0 && x.name == "final_bake" {
			l.errorf(a.Expr.Range(), "Invalid final_bake", "final_bake must be a positive duration, got 0s; omit it to let the last step bake as its ring says.")
			continue
		}
		if ok && v == 0 && x.name == "pause_limit" {
			l.errorf(a.Expr.Range(), "Invalid pause_limit", "pause_limit must be a positive duration, got 0s; omit it for pauses without a limit.")
			continue
		}
		*x.dst = v
	}
}

// decodeCanary decodes a ring's canary_hosts: a whole number of hosts.
func (l *loader) decodeCanary(r *rollout.Ring, a *hcl.Attribute) {
	if a == nil {
		return
	}
	v, ok := l.dec.Int(a)
	l.at(r.Src, "canary_hosts", a, ok)
	if ok && v == 0 {
		l.errorf(a.Expr.Range(), "Invalid canary_hosts", "canary_hosts must be a positive number of hosts, got 0; omit it for a ring without a canary of a number of hosts.")
		return
	}
	r.CanaryHosts = v
}

// decodeDeferKinds decodes a tenant's defer_kinds = { KIND = DURATION, ... }.
func (l *loader) decodeDeferKinds(t *rollout.Tenant, a *hcl.Attribute) {
	if a == nil {
		return
	}
	m, ok := l.dec.StringMap(a, "map of duration strings, by update kind")
	l.at(t.Src, "defer_kinds", a, ok)
	if !ok {
		return
	}
	kinds := slices.Sorted(maps.Keys(m))
	for _, k := range kinds {
		d, err := ParseDuration(m[k])
		if err != nil {
			l.errorf(a.Expr.Range(), "Invalid duration", "defer_kinds %q: %s.", k, err)
			l.failed[fieldKey{t.Src, "defer_kinds", 0}] = true
			return
		}
		t.DeferKinds = append(t.DeferKinds, rollout.KindDefer{Kind: k, Defer: d})
	}
}

// decodeApproveSteps decodes a ring's approve_steps: whole step numbers.
func (l *loader) decodeApproveSteps(r *rollout.Ring, a *hcl.Attribute) {
	if a == nil {
		return
	}
	nums, rngs, ok := l.dec.NumberList(a)
	for i, v := range nums {
		if ok && v != math.Trunc(v) {
			l.errorf(rngs[i], "Invalid approve_steps", "approve_steps lists step numbers, counted from 1; %g is not a whole number.", v)
			ok = false
		}
	}
	l.at(r.Src, "approve_steps", a, ok)
	if !ok {
		return
	}
	if len(nums) == 0 {
		l.errorf(a.Expr.Range(), "Invalid approve_steps", "approve_steps lists no steps; omit it for a ring without manual promotions.")
		return
	}
	for i, v := range nums {
		l.fields[fieldKey{r.Src, "approve_steps", i + 1}] = rngs[i]
		r.ApproveSteps = append(r.ApproveSteps, int(max(min(v, 1e6), -1e6)))
	}
}
