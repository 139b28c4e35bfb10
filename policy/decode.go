package policy

import (
	"io/fs"
	"os"
	"slices"
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
