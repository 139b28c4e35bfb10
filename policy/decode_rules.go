package policy

// Decoding the rules of a rollout besides its rings: triggers, blackouts,
// urgencies and gates (decode.go holds the loader, rollouts and rings).

import (
	"io/fs"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/rollout"
)

// The attributes that define each trigger form, and those each form uses.
var (
	triggerFormAttrs = []string{"above", "against", "test"}
	triggerUses      = map[rollout.TriggerKind][]string{
		rollout.Absolute:        {"signal", "above", "min_count", "action", "attribute", "by"},
		rollout.Silence:         {"signal", "above", "min_count", "action", "attribute", "by"},
		rollout.Baseline:        {"signal", "against", "ratio", "min_count", "action", "by"},
		rollout.SilenceBaseline: {"signal", "against", "ratio", "min_count", "action", "by"},
		rollout.Sequential:      {"signal", "test", "rate", "ratio", "alpha", "action", "attribute", "by"},
	}
	triggerNeeds = map[rollout.TriggerKind][]string{
		rollout.Absolute:        {"above"},
		rollout.Silence:         {"above"},
		rollout.Baseline:        {"ratio"},
		rollout.SilenceBaseline: {"ratio"},
		rollout.Sequential:      {"rate", "ratio", "alpha"},
	}
	triggerFormNames = map[rollout.TriggerKind]string{
		rollout.Absolute:        "an absolute trigger (above)",
		rollout.Silence:         `a silence trigger (signal = "silent")`,
		rollout.Baseline:        `a baseline trigger (against = "baseline")`,
		rollout.SilenceBaseline: `a baseline silence trigger (signal = "silent", against = "baseline")`,
		rollout.Sequential:      `a sequential trigger (test = "sprt")`,
	}
)

// SilentSignal is the signal name that makes a trigger a silence trigger.
const SilentSignal = "silent"

func (l *loader) decodeTrigger(b *hcl.Block, plan int) rollout.Trigger {
	n := l.nerr
	t := l.decodeTriggerBody(b, plan)
	l.rule(t.Src, n)
	return t
}

func (l *loader) decodeTriggerBody(b *hcl.Block, plan int) rollout.Trigger {
	content := l.content(b.Body, triggerSchema)
	t := rollout.Trigger{Name: label(b), Src: l.src(b.DefRange)}
	attrs := content.Attributes
	if a := attrs["signal"]; a != nil {
		if v, ok := l.dec.String(a); ok {
			if strings.TrimSpace(v) == "" {
				l.errorf(a.Expr.Range(), "Invalid signal", "signal must name a health signal, such as \"crash\".")
			} else {
				l.signalRefs = append(l.signalRefs, nameRef{name: v, rng: a.Expr.Range(), plan: plan})
			}
			t.Signal = v
		}
	}
	if a := attrs["action"]; a != nil {
		if v, ok := l.dec.String(a); ok {
			switch v {
			case "halt":
				t.Action = rollout.Halt
			case "rollback":
				t.Action = rollout.Rollback
			default:
				l.errorf(a.Expr.Range(), "Invalid action", "action must be \"halt\" or \"rollback\", got %q.", v)
			}
		}
	}
	// Which form is this trigger? Exactly one of above, against, test.
	var forms []*hcl.Attribute
	for _, n := range triggerFormAttrs {
		if a := attrs[n]; a != nil {
			forms = append(forms, a)
		}
	}
	slices.SortFunc(forms, func(x, y *hcl.Attribute) int { return x.Range.Start.Byte - y.Range.Start.Byte })
	if len(forms) > 1 {
		l.errorf(forms[1].NameRange, "Conflicting trigger forms",
			"A trigger sets %q or %q, not both: it is either absolute or silence (above), baseline (against = \"baseline\" with ratio) or sequential (test = \"sprt\" with rate, ratio and alpha).",
			forms[0].Name, forms[1].Name)
		return t
	}
	if len(forms) == 0 {
		l.errorf(b.DefRange, "Incomplete trigger",
			"Trigger %q needs one of above (an absolute or silence rate), against = \"baseline\" (with ratio) or test = \"sprt\" (with rate, ratio and alpha).", t.Name)
		return t
	}
	switch f := forms[0]; f.Name {
	case "above":
		t.Kind = rollout.Absolute
		if t.Signal == SilentSignal {
			t.Kind = rollout.Silence
		}
	case "against":
		if v, ok := l.dec.String(f); ok {
			if v != "baseline" {
				l.errorf(f.Expr.Range(), "Invalid against", "against must be \"baseline\" (the hosts not yet updated), got %q.", v)
				return t
			}
			t.Kind = rollout.Baseline
			if t.Signal == SilentSignal {
				t.Kind = rollout.SilenceBaseline
			}
		}
	case "test":
		if v, ok := l.dec.String(f); ok {
			if v != "sprt" {
				l.errorf(f.Expr.Range(), "Invalid test", "test must be \"sprt\" (a sequential probability ratio test), got %q.", v)
				return t
			}
			t.Kind = rollout.Sequential
		}
	}
	if t.Kind == 0 {
		return t
	}
	if t.Signal == SilentSignal && t.Kind != rollout.Silence && t.Kind != rollout.SilenceBaseline {
		l.errorf(attrs["signal"].Expr.Range(), "Conflicting trigger forms", "signal \"silent\" makes a silence trigger, which takes above (the share of updated hosts that stopped reporting) or against = \"baseline\" with ratio (that share against the share of hosts not yet updated that are not reporting), not test = \"sprt\".")
		return t
	}
	var unused []*hcl.Attribute
	for n, a := range attrs {
		if !slices.Contains(triggerUses[t.Kind], n) {
			unused = append(unused, a)
		}
	}
	slices.SortFunc(unused, func(x, y *hcl.Attribute) int { return x.Range.Start.Byte - y.Range.Start.Byte })
	for _, a := range unused {
		l.errorf(a.NameRange, "Unexpected attribute", "%q is not used by %s; remove it or change the trigger's form.", a.Name, triggerFormNames[t.Kind])
	}
	for _, n := range triggerNeeds[t.Kind] {
		if attrs[n] == nil {
			l.errorf(b.DefRange, "Missing required argument", "The argument %q is required by %s.", n, triggerFormNames[t.Kind])
		}
	}
	// Ranges are rollout.Compile's to check; record where each value is.
	l.at(t.Src, "signal", attrs["signal"], t.Signal != "")
	l.at(t.Src, "action", attrs["action"], t.Action != 0)
	if a := attrs["above"]; a != nil {
		v, ok := l.dec.Number(a)
		l.at(t.Src, "above", a, ok)
		t.Threshold = v
	} else {
		l.at(t.Src, "above", nil, false)
	}
	if a := attrs["ratio"]; a != nil {
		v, ok := l.dec.Number(a)
		l.at(t.Src, "ratio", a, ok)
		if t.Kind == rollout.Baseline || t.Kind == rollout.SilenceBaseline {
			t.Threshold = v
		} else {
			t.Ratio = v
		}
	} else {
		l.at(t.Src, "ratio", nil, false)
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"rate", &t.Rate}, {"alpha", &t.Alpha}} {
		a := attrs[f.name]
		v, ok := l.dec.Number(a)
		l.at(t.Src, f.name, a, ok)
		*f.dst = v
	}
	if a := attrs["min_count"]; a != nil {
		v, ok := l.dec.Int(a)
		l.at(t.Src, "min_count", a, ok)
		t.MinCount = v
	}
	l.decodeTriggerEvidence(attrs, &t)
	return t
}

func (l *loader) decodeBlackout(b *hcl.Block) (rollout.Blackout, []nameRef) {
	n := l.nerr
	content := l.content(b.Body, blackoutSchema)
	bo := rollout.Blackout{Name: label(b), Src: l.src(b.DefRange)}
	var ok bool
	a := content.Attributes["from"]
	bo.From, ok = l.dec.Time(a)
	l.at(bo.Src, "from", a, ok)
	a = content.Attributes["to"]
	bo.To, ok = l.dec.Time(a)
	l.at(bo.Src, "to", a, ok)
	if l.failed[fieldKey{bo.Src, "from", 0}] {
		l.failed[fieldKey{bo.Src, "to", 0}] = true // "to must be after from" needs both
	}
	defer l.rule(bo.Src, n)
	var refs []nameRef
	if a := content.Attributes["exempt"]; a != nil {
		if v, ok := l.dec.StringList(a); ok {
			l.dec.CheckNames(a, v, "urgency")
			bo.Exempt = v
			for i, rng := range hclattr.ElementRanges(a, len(v)) {
				refs = append(refs, nameRef{name: v[i], rng: rng, plan: -1})
			}
		}
	}
	return bo, refs
}

func (l *loader) decodeUrgency(b *hcl.Block) rollout.Urgency {
	n := l.nerr
	content := l.content(b.Body, urgencySchema)
	u := rollout.Urgency{Name: label(b), Src: l.src(b.DefRange)}
	a := content.Attributes["bake_scale"]
	v, ok := l.dec.Number(a)
	l.at(u.Src, "bake_scale", a, ok)
	u.BakeScale = v
	l.rule(u.Src, n)
	return u
}

func (l *loader) pathsAttr(a *hcl.Attribute) ([]string, bool) {
	v, ok := l.dec.Strings(a)
	if !ok {
		return nil, false
	}
	for _, p := range v {
		if !fs.ValidPath(p) || p == "." {
			l.errorf(a.Expr.Range(), "Invalid path", "%q is not a path inside the policy directory; write a relative path such as \"gates/freeze.rego\" (no leading /, no ..).", p)
			return nil, false
		}
	}
	return v, true
}

func (l *loader) decodeGate(b *hcl.Block, fsys fs.FS) (rollout.GateBinding, bool) {
	n := l.nerr
	content := l.content(b.Body, gateSchema)
	spec := GateSpec{Name: label(b), Range: b.DefRange, Attrs: map[string]hcl.Range{}}
	for name, a := range content.Attributes {
		spec.Attrs[name] = a.Expr.Range()
	}
	attrs := content.Attributes
	if a := attrs["rego"]; a != nil {
		if v, ok := l.pathsAttr(a); ok {
			if len(v) == 0 {
				l.errorf(a.Expr.Range(), "Invalid rego", "rego must name at least one Rego module.")
			}
			spec.Rego = v
		}
	}
	if a := attrs["data"]; a != nil {
		spec.Data, _ = l.pathsAttr(a)
	}
	if a := attrs["query"]; a != nil {
		spec.Query, _ = l.dec.String(a)
	}
	if a := attrs["timeout"]; a != nil {
		if v, ok := l.dec.Duration(a); ok {
			if v <= 0 {
				l.errorf(a.Expr.Range(), "Invalid timeout", "timeout must be a positive duration, got %s.", v)
			}
			spec.Timeout = v
		}
	}
	if l.opts.gates == nil {
		l.errorf(b.DefRange, "Gates need a GateLoader",
			"Gate %q is a Rego gate, but this policy was loaded without a GateLoader; load it with policy.WithGateLoader(rego.NewLoader()) from package github.com/ringwise/ringwise/policy/rego.", spec.Name)
		return rollout.GateBinding{}, false
	}
	if l.nerr != n {
		return rollout.GateBinding{}, false
	}
	g, digest, gd := l.opts.gates.LoadGate(fsys, spec)
	l.add(gd)
	if gd.HasErrors() {
		return rollout.GateBinding{}, false
	}
	if g == nil {
		l.errorf(b.DefRange, "Invalid gate", "The GateLoader returned no gate for %q.", spec.Name)
		return rollout.GateBinding{}, false
	}
	return rollout.GateBinding{Name: spec.Name, Gate: g, Digest: digest, Src: l.src(b.DefRange)}, true
}
