package policy

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/rollout"
)

var (
	fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "rollout", LabelNames: []string{"name"}},
		{Type: "tenant", LabelNames: []string{"name"}},
		{Type: "signal", LabelNames: []string{"name"}},
	}}
	signalSchema  = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "description"}}}
	rolloutSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "applies_to"}, {Name: "start_delay"}, {Name: "final_bake"}, {Name: "pause_limit"}},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "ring", LabelNames: []string{"name"}},
			{Type: "trigger", LabelNames: []string{"name"}},
			{Type: "blackout", LabelNames: []string{"name"}},
			{Type: "gate", LabelNames: []string{"name"}},
			{Type: "urgency", LabelNames: []string{"name"}},
		},
	}
	ringSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "steps", Required: true},
			{Name: "bake"},
			{Name: "bakes"},
			{Name: "canary_hosts"},
			{Name: "approve_steps"},
			{Name: "cover"},
			{Name: "tenant_cap"},
			{Name: "min_healthy"},
			{Name: "min_taken"},
			{Name: "min_host_hours"},
			{Name: "approval"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "select"}},
	}
	triggerSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "signal", Required: true},
		{Name: "above"},
		{Name: "against"},
		{Name: "ratio"},
		{Name: "min_count"},
		{Name: "test"},
		{Name: "rate"},
		{Name: "alpha"},
		{Name: "action", Required: true},
		{Name: "attribute"},
		{Name: "by"},
	}}
	blackoutSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "to", Required: true},
		{Name: "exempt"},
	}}
	gateSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "rego", Required: true},
		{Name: "data"},
		{Name: "query"},
		{Name: "timeout"},
	}}
	urgencySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "bake_scale", Required: true},
	}}
	tenantSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "defer"}, {Name: "defer_kinds"}, {Name: "opt_out"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "select"}, {Type: "maintenance"}},
	}
	maintenanceSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "days"},
		{Name: "start", Required: true},
		{Name: "hours", Required: true},
		{Name: "zone", Required: true},
	}}
)

type parsedFile struct {
	name string
	file *hcl.File
	fsys fs.FS // the directory the file's gates read from
	ok   bool  // parsed without errors
}

// loader holds the state of one Load.
type loader struct {
	opts    options
	dec     hclattr.Decoder
	diags   hcl.Diagnostics
	nerr    int // error diagnostics reported by the decoder so far
	files   map[string]*hcl.File
	order   []parsedFile
	ranges  map[rollout.Source]hcl.Range
	plans   []*rollout.Plan
	tenants []rollout.Tenant
	roots   []*os.Root      // directories opened by LoadPaths and LoadIn
	seen    map[string]bool // files loaded, by cleaned name

	zones      map[string]zoneResult // time zones loaded, by name
	signals    map[string]hcl.Range  // declared signal blocks
	signalRefs []nameRef             // trigger signals, checked once every file is decoded
	optOutRefs []nameRef             // tenants' opt_out kinds, likewise

	// Where each attribute of a rule was written, and which did not
	// decode (or are absent), so that rollout.Compile's errors are placed
	// on the value and not repeated where the decoder already reported.
	fields  map[fieldKey]hcl.Range
	failed  map[fieldKey]bool
	ruleErr map[rollout.Source]bool // rules with decoding errors
}

// fieldKey names an attribute (and list element, from 1) of the rule
// written at src, as rollout.ValidationError does.
type fieldKey struct {
	src   rollout.Source
	field string
	elem  int
}

func newLoader(o options) *loader {
	l := &loader{
		opts:    o,
		files:   map[string]*hcl.File{},
		ranges:  map[rollout.Source]hcl.Range{},
		seen:    map[string]bool{},
		signals: map[string]hcl.Range{},
		zones:   map[string]zoneResult{},
		fields:  map[fieldKey]hcl.Range{},
		failed:  map[fieldKey]bool{},
		ruleErr: map[rollout.Source]bool{},
	}
	l.dec.Report = l.report
	return l
}

func (l *loader) policy() *Policy {
	return &Policy{Plans: l.plans, Tenants: l.tenants, Files: l.files}
}

// add appends diagnostics produced by hcl.
func (l *loader) add(d hcl.Diagnostics) {
	l.diags = append(l.diags, d...)
	for _, x := range d {
		if x.Severity == hcl.DiagError {
			l.nerr++
		}
	}
}

// src records rng and returns it as a rollout.Source.
func (l *loader) src(rng hcl.Range) rollout.Source {
	s := rollout.Source{File: rng.Filename, Line: rng.Start.Line, Column: rng.Start.Column}
	if _, ok := l.ranges[s]; !ok {
		l.ranges[s] = rng
	}
	return s
}

// at records where field of the rule at src was written (a is nil when
// the attribute is absent) and whether it decoded.
func (l *loader) at(src rollout.Source, field string, a *hcl.Attribute, ok bool) {
	k := fieldKey{src, field, 0}
	if a != nil {
		l.fields[k] = a.Expr.Range()
	}
	if a == nil || !ok {
		l.failed[k] = true
	}
}

// rule records whether decoding the rule at src reported errors: n is
// l.nerr before it began.
func (l *loader) rule(src rollout.Source, n int) {
	if l.nerr != n {
		l.ruleErr[src] = true
	}
}

type pendingPlan struct {
	plan rollout.Plan
	ok   bool
}

// finish decodes every parsed file and compiles the plans.
func (l *loader) finish() {
	var pending []pendingPlan
	var allTenants []rollout.Tenant // those that did not decode too, to check them all
	rollouts := map[string]hcl.Range{}
	tenants := map[string]hcl.Range{}
	for _, f := range l.order {
		if !f.ok {
			continue
		}
		content := l.content(f.file.Body, fileSchema)
		for _, b := range content.Blocks {
			n := l.nerr
			switch b.Type {
			case "rollout":
				l.checkName(b, "rollout", rollouts)
				p := l.decodeRollout(b, f.fsys, len(pending))
				pending = append(pending, pendingPlan{p, l.nerr == n})
			case "signal":
				l.checkName(b, "signal", l.signals)
				l.content(b.Body, signalSchema)
				if name := label(b); slices.Contains(BuiltinSignals, name) {
					l.errorf(b.LabelRanges[0], "Invalid signal", "%q is built in; declare only other signals.", name)
				}
			case "tenant":
				l.checkName(b, "tenant", tenants)
				t := l.decodeTenant(b)
				allTenants = append(allTenants, t)
				if l.nerr == n {
					l.tenants = append(l.tenants, t)
				}
			}
		}
	}
	l.checkSignals(pending)
	l.checkOptOut(pending)
	seen := map[string]bool{}
	// Compile is the one place that checks ranges: it runs even when
	// decoding found problems, so that one pass reports them all. Tenants
	// are checked once, every one of them, in a plan of their own.
	tenantCheck := pendingPlan{plan: rollout.Plan{
		Name:  "tenants",
		Rings: []rollout.Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}},
	}}
	checks := pending
	if len(pending) == 0 || len(allTenants) != len(l.tenants) {
		// Some tenants are in no plan: check them on their own.
		checks = append([]pendingPlan{tenantCheck}, pending...)
	}
	for _, pp := range checks {
		p := pp.plan
		p.Tenants = l.tenants
		if p.Src == (rollout.Source{}) {
			p.Tenants = allTenants
		}
		c, err := rollout.Compile(p)
		if err == nil && p.Src != (rollout.Source{}) {
			l.warn(c.Warnings(), "Unreachable ring")
		}
		for _, ve := range rollout.ValidationErrors(err) {
			if l.repeated(ve) || ve.Src == (rollout.Source{}) {
				continue
			}
			d := l.validationDiag(ve)
			key := d.Subject.String() + "\x00" + d.Detail
			if !seen[key] {
				seen[key] = true
				l.add(hcl.Diagnostics{d})
			}
		}
		if err == nil && pp.ok {
			l.plans = append(l.plans, c)
		}
	}
	l.warn(rollout.TenantWarnings(l.tenants), "Overlapping tenants")
	if len(pending) == 0 && len(l.order) > 0 && !l.diags.HasErrors() {
		// Nothing else can use a policy without a rollout: say so here,
		// not later in plan or simulate.
		first := l.order[0].name
		names := make([]string, len(l.order))
		for i, f := range l.order {
			names[i] = f.name
		}
		l.errorf(hcl.Range{Filename: first, Start: hcl.InitialPos, End: hcl.InitialPos}, "No rollout",
			"The policy (%s) defines no rollout block; a policy needs at least one rollout \"NAME\" { ring \"NAME\" { ... } }.", strings.Join(names, ", "))
	}
	l.sortDiags()
}

// sortDiags puts the diagnostics in file and source order, the order a
// person fixes them in; those without a location come first.
func (l *loader) sortDiags() {
	files := map[string]int{}
	for i, f := range l.order {
		files[f.name] = i + 1
	}
	key := func(d *hcl.Diagnostic) (int, int) {
		if d.Subject == nil {
			return 0, 0
		}
		f, ok := files[d.Subject.Filename]
		if !ok {
			f = len(files) + 1
		}
		return f, d.Subject.Start.Byte
	}
	slices.SortStableFunc(l.diags, func(a, b *hcl.Diagnostic) int {
		fa, ba := key(a)
		fb, bb := key(b)
		if fa != fb {
			return fa - fb
		}
		return ba - bb
	})
}

// repeated reports whether ve is about something the decoder already
// reported: a name (block labels are checked as they are decoded, with
// where the first one is), an attribute that is absent or did not decode,
// or, for a problem of a rule as a whole, a rule that did not decode.
func (l *loader) repeated(ve *rollout.ValidationError) bool {
	switch {
	case ve.Field == "name":
		return true
	case ve.Field == "":
		return l.ruleErr[ve.Src]
	}
	k := fieldKey{ve.Src, ve.Field, 0}
	if _, decoded := l.fields[k]; !decoded && l.ruleErr[ve.Src] {
		return true // the decoder stopped before this attribute
	}
	return l.failed[k]
}

// validationDiag turns an error from rollout.Compile into a diagnostic at
// the value it is about (the list element, the attribute) or else at the
// rule's block.
func (l *loader) validationDiag(ve *rollout.ValidationError) *hcl.Diagnostic {
	rng, ok := l.fields[fieldKey{ve.Src, ve.Field, ve.Elem}]
	if !ok {
		rng, ok = l.fields[fieldKey{ve.Src, ve.Field, 0}]
	}
	if !ok {
		rng, ok = l.ranges[ve.Src]
	}
	if !ok {
		p := hcl.Pos{Line: ve.Src.Line, Column: ve.Src.Column}
		rng = hcl.Range{Filename: ve.Src.File, Start: p, End: p}
	}
	if ve.Field != "" {
		// A sentence, as HCL's details are, except that an attribute's
		// name keeps its case.
		msg := ve.Message
		if msg != "" && !strings.HasPrefix(msg, ve.Field) {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + ve.Field, Detail: msg + ".", Subject: &rng}
	}
	kind, _, _ := strings.Cut(ve.Rule, " ")
	detail := ve.Message
	if ve.Rule != "" {
		detail = ve.Rule + ": " + detail
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind,
		Detail:   detail + ".",
		Subject:  &rng,
	}
}

// checkName reports an empty or duplicate block name; seen maps the names
// of the blocks of this type in scope to where they were defined.
func (l *loader) checkName(b *hcl.Block, what string, seen map[string]hcl.Range) {
	if len(b.Labels) == 0 {
		return
	}
	name, rng := b.Labels[0], b.DefRange
	if len(b.LabelRanges) > 0 {
		rng = b.LabelRanges[0]
	}
	if strings.TrimSpace(name) == "" {
		l.errorf(rng, "Missing "+what+" name", "A %s block needs a non-empty name.", what)
		return
	}
	if first, dup := seen[name]; dup {
		l.errorf(rng, "Duplicate "+what+" name", "A %s named %q was already defined at %s:%d:%d; %s names must be unique.",
			what, name, first.Filename, first.Start.Line, first.Start.Column, what)
		return
	}
	seen[name] = b.DefRange
}

func label(b *hcl.Block) string {
	if len(b.Labels) == 0 {
		return ""
	}
	return b.Labels[0]
}

func (l *loader) decodeRollout(b *hcl.Block, fsys fs.FS, index int) rollout.Plan {
	n := l.nerr
	content := l.content(b.Body, rolloutSchema)
	p := rollout.Plan{Name: label(b), Src: l.src(b.DefRange)}
	if a := content.Attributes["applies_to"]; a != nil {
		if kinds, ok := l.dec.StringList(a); ok {
			if len(kinds) == 0 {
				l.errorf(a.Expr.Range(), "Invalid applies_to", "applies_to lists no update kinds; omit it to apply the rollout to every kind.")
			}
			l.dec.CheckNames(a, kinds, "update kind")
			p.AppliesTo = kinds
		}
	}
	l.decodeTiming(&p, content.Attributes)
	seen := map[string]map[string]hcl.Range{}
	var exempt []nameRef
	for _, blk := range content.Blocks {
		if seen[blk.Type] == nil {
			seen[blk.Type] = map[string]hcl.Range{}
		}
		l.checkName(blk, blk.Type, seen[blk.Type])
		switch blk.Type {
		case "ring":
			p.Rings = append(p.Rings, l.decodeRing(blk))
		case "trigger":
			p.Triggers = append(p.Triggers, l.decodeTrigger(blk, index))
		case "blackout":
			bo, refs := l.decodeBlackout(blk)
			p.Blackouts = append(p.Blackouts, bo)
			exempt = append(exempt, refs...)
		case "urgency":
			p.Urgencies = append(p.Urgencies, l.decodeUrgency(blk))
		case "gate":
			if g, ok := l.decodeGate(blk, fsys); ok {
				p.Gates = append(p.Gates, g)
			}
		}
	}
	urgencies := make([]string, len(p.Urgencies))
	for i, u := range p.Urgencies {
		urgencies[i] = u.Name
	}
	l.checkExempt(exempt, urgencies)
	if len(p.Rings) == 0 && l.nerr == n {
		l.errorf(b.DefRange, "Missing ring", "Rollout %q has no ring blocks; a rollout needs at least one ring.", p.Name)
	}
	l.rule(p.Src, n)
	return p
}

func (l *loader) decodeRing(b *hcl.Block) rollout.Ring {
	n := l.nerr
	content := l.content(b.Body, ringSchema)
	r := rollout.Ring{Name: label(b), Src: l.src(b.DefRange)}
	r.Select = l.dec.Selector(content.Blocks)
	l.selectAt(r.Src, content.Blocks)
	attrs := content.Attributes
	l.decodeSteps(&r, attrs["steps"])
	l.decodeBakes(&r, b, attrs)
	l.decodeCanary(&r, attrs["canary_hosts"])
	l.decodeApproveSteps(&r, attrs["approve_steps"])
	if a := attrs["cover"]; a != nil {
		if v, ok := l.dec.StringList(a); ok {
			l.dec.CheckNames(a, v, "label")
			r.Cover = v
		}
	}
	// Zero means "no cap" and "the default" in a rollout.Ring; written
	// in a policy, it is out of range like any other value outside.
	if a := attrs["tenant_cap"]; a != nil {
		v, ok := l.dec.Number(a)
		l.at(r.Src, "tenant_cap", a, ok)
		if ok && v == 0 {
			l.errorf(a.Expr.Range(), "Invalid tenant_cap", "tenant_cap must be a percentage in (0, 100], got 0.")
		}
		r.TenantCap = v
	}
	if a := attrs["min_healthy"]; a != nil {
		v, ok := l.dec.Number(a)
		l.at(r.Src, "min_healthy", a, ok)
		if ok && v == 0 {
			l.noHealthGate(a, &r)
		} else {
			r.MinHealthy = v
		}
	}
	l.decodeRingEvidence(attrs, &r)
	if a := attrs["approval"]; a != nil {
		if v, ok := l.dec.Bool(a); ok {
			r.Approval = v
		}
	}
	l.rule(r.Src, n)
	return r
}

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

func (l *loader) decodeTenant(b *hcl.Block) rollout.Tenant {
	n := l.nerr
	content := l.content(b.Body, tenantSchema)
	t := rollout.Tenant{Name: label(b), Src: l.src(b.DefRange)}
	defer l.rule(t.Src, n)
	t.Select = l.dec.Selector(content.Blocks)
	l.selectAt(t.Src, content.Blocks)
	if a := content.Attributes["defer"]; a != nil {
		v, ok := l.dec.Duration(a)
		l.at(t.Src, "defer", a, ok)
		t.Defer = v
	}
	l.decodeDeferKinds(&t, content.Attributes["defer_kinds"])
	if a := content.Attributes["opt_out"]; a != nil {
		if v, ok := l.dec.StringList(a); ok {
			l.dec.CheckNames(a, v, "update kind")
			t.OptOut = v
			for i, rng := range hclattr.ElementRanges(a, len(v)) {
				l.optOutRefs = append(l.optOutRefs, nameRef{name: v[i], rng: rng, plan: -1})
			}
		}
	}
	for _, blk := range content.Blocks {
		if blk.Type == "maintenance" {
			t.Maintenance = append(t.Maintenance, l.decodeWindow(blk))
		}
	}
	return t
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

var clock = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

func (l *loader) decodeWindow(b *hcl.Block) rollout.Window {
	n := l.nerr
	content := l.content(b.Body, maintenanceSchema)
	w := rollout.Window{Src: l.src(b.DefRange)}
	defer l.rule(w.Src, n)
	attrs := content.Attributes
	if a := attrs["days"]; a != nil {
		if v, ok := l.dec.StringList(a); ok {
			for _, s := range v {
				wd, ok := weekdays[strings.ToLower(strings.TrimSpace(s))]
				switch {
				case !ok:
					l.errorf(a.Expr.Range(), "Unknown weekday", "%q is not a weekday; use mon, tue, wed, thu, fri, sat or sun (or the full names).", s)
				case slices.Contains(w.Days, wd):
					l.errorf(a.Expr.Range(), "Invalid days", "days lists %s twice.", wd)
				default:
					w.Days = append(w.Days, wd)
				}
			}
			if len(v) == 0 {
				l.errorf(a.Expr.Range(), "Invalid days", "days lists no weekday, so the window would never open; omit it to open every day.")
			}
		}
	}
	if a := attrs["start"]; a != nil {
		if s, ok := l.dec.String(a); ok {
			m := clock.FindStringSubmatch(s)
			if m == nil {
				l.errorf(a.Expr.Range(), "Invalid start", "start must be a wall-clock time HH:MM between 00:00 and 23:59, got %q.", s)
			} else {
				h, _ := strconv.Atoi(m[1])
				mi, _ := strconv.Atoi(m[2])
				w.Start = time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute
			}
		}
	}
	a := attrs["hours"]
	h, ok := l.dec.Number(a)
	l.at(w.Src, "hours", a, ok)
	// Its range is rollout.Compile's to check; clamp what no Duration holds.
	w.Length = time.Duration(max(-1e6, min(h, 1e6)) * float64(time.Hour)).Round(time.Second)
	if a := attrs["zone"]; a != nil {
		s, ok := l.dec.String(a)
		if ok {
			loc, err := l.zone(s)
			if err != nil {
				l.errorf(a.Expr.Range(), "Unknown time zone", "%s.", err)
				ok = false
			}
			w.Zone = loc
		}
		l.at(w.Src, "zone", a, ok)
	} else {
		l.at(w.Src, "zone", nil, false)
	}
	return w
}

// zone loads an IANA time zone once per Load (see loadZone): a policy of
// thousands of tenants names a handful of zones, and a *time.Location is
// immutable.
func (l *loader) zone(name string) (*time.Location, error) {
	if z, ok := l.zones[name]; ok {
		return z.loc, z.err
	}
	loc, err := loadZone(name)
	l.zones[name] = zoneResult{loc, err}
	return loc, err
}

type zoneResult struct {
	loc *time.Location
	err error
}

// loadZone loads an IANA time zone. "Local" and "" are refused: a policy
// must mean the same thing on every machine.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("zone %q depends on the machine; name an IANA zone such as \"Europe/London\" or \"UTC\"", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("zone %q is not a known IANA time zone (such as \"Europe/London\" or \"UTC\")", name)
	}
	return loc, nil
}
