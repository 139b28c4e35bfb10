package review

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/ringwise/ringwise/rollout"
)

// Diff statuses.
const (
	DiffIdentical   = "identical"   // the same rules in the same files
	DiffReformatted = "reformatted" // the same rules; the files differ in layout, comments or formatting only
	DiffChanged     = "changed"
)

// PolicyDiff is the semantic difference between a base and a head policy,
// the way `terraform plan` shows changes: every rollout, ring, trigger,
// gate, blackout, urgency, tenant and maintenance window added, removed or
// changed, down to the attribute, with FILE:LINE on both sides.
type PolicyDiff struct {
	Base    string   `json:"base"`
	Head    string   `json:"head"`
	Status  string   `json:"status"`
	Files   int      `json:"files_reformatted,omitempty"` // for DiffReformatted: files that differ
	Changes []Change `json:"changes"`
}

// Change is one difference. Path leads from the top-level block to what
// changed, e.g. [`rollout "content"`, `ring "broad"`, `bake`]. Old and New
// are values in policy syntax (a whole block, in brief, when it was added
// or removed); OldAt and NewAt are FILE:LINE on each side.
type Change struct {
	Op    string   `json:"op"` // "added", "removed" or "changed"
	Path  []string `json:"path"`
	Old   string   `json:"old,omitempty"`
	New   string   `json:"new,omitempty"`
	OldAt string   `json:"old_at,omitempty"`
	NewAt string   `json:"new_at,omitempty"`
}

// Diff compares two loaded policies rule by rule: rollouts and tenants by
// name, and within them rings, triggers, gates, blackouts and urgencies by
// name and maintenance windows by position. When each side has a single
// rollout under different names, they are compared as one, renamed.
func Diff(base, head Side) PolicyDiff {
	d := differ{b: newLocator(base), h: newLocator(head)}
	bps, hps := base.Policy.Plans, head.Policy.Plans
	if len(bps) == 1 && len(hps) == 1 && bps[0].Name != hps[0].Name {
		// One rollout on each side under another name (two files
		// compared, or a rename): compare them as one rollout.
		bp, hp := bps[0], hps[0]
		path := []string{block("rollout", hp.Name)}
		d.add(Change{Op: "changed", Path: append(slices.Clone(path), "name"), Old: strconv.Quote(bp.Name), New: strconv.Quote(hp.Name), OldAt: d.b.at(bp.Src), NewAt: d.h.at(hp.Src)})
		d.structs(path, reflect.ValueOf(*bp), reflect.ValueOf(*hp), bp.Src, hp.Src)
		bps, hps = nil, nil
	}
	// Rollouts in head's order, then those only base has.
	for _, hp := range hps {
		path := []string{block("rollout", hp.Name)}
		if bp, ok := base.Policy.Plan(hp.Name); ok {
			n := len(d.changes)
			d.structs(path, reflect.ValueOf(*bp), reflect.ValueOf(*hp), bp.Src, hp.Src)
			if len(d.changes) == n && bp.Digest() != hp.Digest() {
				// The plans differ in something the walk does not show:
				// say so rather than call it a reformat.
				d.add(Change{Op: "changed", Path: append(path, "plan digest"), Old: bp.Digest(), New: hp.Digest(), OldAt: d.b.at(bp.Src), NewAt: d.h.at(hp.Src)})
			}
			continue
		}
		d.add(Change{Op: "added", Path: path, New: brief(reflect.ValueOf(*hp)), NewAt: d.h.at(hp.Src)})
	}
	for _, bp := range bps {
		if _, ok := head.Policy.Plan(bp.Name); !ok {
			d.add(Change{Op: "removed", Path: []string{block("rollout", bp.Name)}, Old: brief(reflect.ValueOf(*bp)), OldAt: d.b.at(bp.Src)})
		}
	}
	d.named(nil, "tenant", reflect.ValueOf(base.Policy.Tenants), reflect.ValueOf(head.Policy.Tenants))
	pd := PolicyDiff{Base: base.Label, Head: head.Label, Status: DiffChanged, Changes: d.changes}
	if pd.Changes == nil {
		pd.Changes = []Change{}
	}
	if len(pd.Changes) == 0 {
		pd.Status = DiffIdentical
		if n := filesDiffer(base, head); n > 0 {
			pd.Status, pd.Files = DiffReformatted, n
		}
	}
	return pd
}

// diffCases diffs each distinct pair of policies, in order of first use.
func diffCases(cases []Case) []PolicyDiff {
	var out []PolicyDiff
	seen := map[[2]any]bool{}
	for _, c := range cases {
		k := [2]any{c.Base.Policy, c.Head.Policy}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Diff(c.Base, c.Head))
	}
	if out == nil {
		out = []PolicyDiff{}
	}
	return out
}

// filesDiffer counts the policy files of one side whose content the other
// side does not have (names aside: the sides may be different
// directories), the larger of the two counts.
func filesDiffer(base, head Side) int {
	count := func(a, b Side) int {
		have := map[string]int{}
		for _, f := range b.Policy.Files {
			if f != nil {
				have[string(f.Bytes)]++
			}
		}
		n := 0
		for _, name := range slices.Sorted(maps.Keys(a.Policy.Files)) {
			f := a.Policy.Files[name]
			if f == nil {
				continue
			}
			if have[string(f.Bytes)] > 0 {
				have[string(f.Bytes)]--
			} else {
				n++
			}
		}
		return n
	}
	return max(count(base, head), count(head, base))
}

func prefixed(dir, name string) string {
	if dir == "" {
		return name
	}
	return strings.TrimSuffix(dir, "/") + "/" + name
}

type differ struct {
	b, h    *locator
	changes []Change
}

func (d *differ) add(c Change) { d.changes = append(d.changes, c) }

// structs compares two values of the same struct type: their attributes
// in policy terms (see view), then their nested blocks.
func (d *differ) structs(path []string, b, h reflect.Value, bsrc, hsrc rollout.Source) {
	ba, ha := view(b), view(h)
	get := func(as []attr, name string) string {
		for _, a := range as {
			if a.name == name {
				return a.value
			}
		}
		return "unset"
	}
	names := make([]string, 0, len(ha))
	for _, a := range ha {
		names = append(names, a.name)
	}
	for _, a := range ba {
		if !slices.Contains(names, a.name) {
			names = append(names, a.name)
		}
	}
	for _, n := range names {
		bs, hs := get(ba, n), get(ha, n)
		if bs != hs {
			d.add(Change{Op: "changed", Path: append(slices.Clone(path), n), Old: bs, New: hs,
				OldAt: d.b.attrAt(bsrc, n), NewAt: d.h.attrAt(hsrc, n)})
		}
	}
	t := b.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || !isBlockList(t, f) {
			continue
		}
		kind := blockName(f.Name)
		if _, named := f.Type.Elem().FieldByName("Name"); named {
			d.named(path, kind, b.Field(i), h.Field(i))
		} else {
			d.indexed(path, kind, b.Field(i), h.Field(i))
		}
	}
}

// attr is an attribute of a block in policy terms.
type attr struct{ name, value string }

// isBlockList reports whether field f of t holds nested blocks (diffed
// one by one) rather than an attribute.
func isBlockList(t reflect.Type, f reflect.StructField) bool {
	if t == planType && f.Name == "Tenants" {
		return false // copies of the policy's tenants, diffed once at the top
	}
	return f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct && f.Type != selectorType
}

// skipped reports whether field f of t is neither an attribute nor a
// nested block list.
func skipped(t reflect.Type, f reflect.StructField) bool {
	return !f.IsExported() || f.Name == "Name" || f.Name == "Src" || f.Type == gateType || t == planType && f.Name == "Tenants"
}

// view returns a block's attributes as the policy writes them, in order.
// Triggers and maintenance windows are spelled out in their HCL form;
// other blocks, and any field the spelled-out forms do not know (a field
// added later), are their fields in snake case.
func view(v reflect.Value) []attr {
	t := v.Type()
	var out []attr
	known := map[string]bool{}
	switch t {
	case triggerType:
		tr := v.Interface().(rollout.Trigger)
		out = triggerView(tr)
		for _, f := range []string{"Kind", "Signal", "Threshold", "MinCount", "Rate", "Ratio", "Alpha", "Action"} {
			known[f] = true
		}
	case windowType:
		w := v.Interface().(rollout.Window)
		days := make([]string, len(w.Days))
		for i, d := range w.Days {
			days[i] = strconv.Quote(strings.ToLower(d.String()[:3]))
		}
		if len(days) > 0 {
			out = append(out, attr{"days", "[" + strings.Join(days, ", ") + "]"})
		} else {
			out = append(out, attr{"days", "unset"})
		}
		out = append(out,
			attr{"start", strconv.Quote(fmt.Sprintf("%02d:%02d", int(w.Start.Hours()), int(w.Start.Minutes())%60))},
			attr{"hours", strconv.FormatFloat(w.Length.Hours(), 'g', -1, 64)},
			attr{"zone", render(reflect.ValueOf(w.Zone))})
		for _, f := range []string{"Days", "Start", "Length", "Zone"} {
			known[f] = true
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if skipped(t, f) || isBlockList(t, f) || known[f.Name] {
			continue
		}
		name := attrName(f.Name)
		if t == gateBindingType && name == "digest" {
			name = "content"
		}
		out = append(out, attr{name, value(v.Field(i))})
	}
	return out
}

// triggerView spells a trigger out in the form its HCL block takes.
func triggerView(t rollout.Trigger) []attr {
	num := func(x float64) string {
		if x == 0 {
			return "unset"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	signal := strconv.Quote(t.Signal)
	if t.Kind == rollout.Silence || t.Kind == rollout.SilenceBaseline {
		signal = `"silent"`
	}
	out := []attr{{"signal", signal}}
	unset := attr{value: "unset"}
	above, against, ratio, test, rate, alpha := unset, unset, unset, unset, unset, unset
	switch t.Kind {
	case rollout.Absolute, rollout.Silence:
		above.value = num(t.Threshold)
	case rollout.Baseline, rollout.SilenceBaseline:
		against.value, ratio.value = `"baseline"`, num(t.Threshold)
	case rollout.Sequential:
		test.value, rate.value, ratio.value, alpha.value = `"sprt"`, num(t.Rate), num(t.Ratio), num(t.Alpha)
	default:
		out = append(out, attr{"kind", strconv.Quote(t.Kind.String())}, attr{"threshold", num(t.Threshold)})
	}
	above.name, against.name, ratio.name, test.name, rate.name, alpha.name = "above", "against", "ratio", "test", "rate", "alpha"
	out = append(out, above, against, test, ratio, rate, alpha)
	minCount := "unset"
	if t.MinCount != 0 {
		minCount = strconv.Itoa(t.MinCount)
	}
	out = append(out, attr{"min_count", minCount}, attr{"action", strconv.Quote(t.Action.String())})
	return append(out, triggerEvidenceView(t)...)
}

// named compares two slices of blocks keyed by their Name, in head's
// order, then those only base has, then a change of order.
func (d *differ) named(path []string, kind string, b, h reflect.Value) {
	name := func(v reflect.Value) string { return v.FieldByName("Name").String() }
	src := func(v reflect.Value) rollout.Source { return v.FieldByName("Src").Interface().(rollout.Source) }
	index := func(s reflect.Value) map[string]int {
		m := map[string]int{}
		for i := range s.Len() {
			m[name(s.Index(i))] = i
		}
		return m
	}
	bi, hi := index(b), index(h)
	var common []string
	for i := range h.Len() {
		hv := h.Index(i)
		p := append(slices.Clone(path), block(kind, name(hv)))
		j, ok := bi[name(hv)]
		if !ok {
			d.add(Change{Op: "added", Path: p, New: brief(hv), NewAt: d.h.at(src(hv))})
			continue
		}
		common = append(common, name(hv))
		bv := b.Index(j)
		d.structs(p, bv, hv, src(bv), src(hv))
	}
	var baseOrder []string
	for i := range b.Len() {
		bv := b.Index(i)
		if _, ok := hi[name(bv)]; !ok {
			d.add(Change{Op: "removed", Path: append(slices.Clone(path), block(kind, name(bv))), Old: brief(bv), OldAt: d.b.at(src(bv))})
			continue
		}
		baseOrder = append(baseOrder, name(bv))
	}
	// Order matters for rings (a host belongs to the first ring that
	// matches) and tenants (the first matching tenant wins).
	if (kind == "ring" || kind == "tenant") && !slices.Equal(baseOrder, common) {
		d.add(Change{Op: "changed", Path: append(slices.Clone(path), kind+" order"), Old: strings.Join(baseOrder, ", "), New: strings.Join(common, ", ")})
	}
}

// indexed compares two slices of unnamed blocks position by position.
func (d *differ) indexed(path []string, kind string, b, h reflect.Value) {
	src := func(v reflect.Value) rollout.Source {
		if f := v.FieldByName("Src"); f.IsValid() {
			return f.Interface().(rollout.Source)
		}
		return rollout.Source{}
	}
	for i := range max(b.Len(), h.Len()) {
		p := append(slices.Clone(path), fmt.Sprintf("%s #%d", kind, i+1))
		switch {
		case i >= b.Len():
			d.add(Change{Op: "added", Path: p, New: brief(h.Index(i)), NewAt: d.h.at(src(h.Index(i)))})
		case i >= h.Len():
			d.add(Change{Op: "removed", Path: p, Old: brief(b.Index(i)), OldAt: d.b.at(src(b.Index(i)))})
		default:
			d.structs(p, b.Index(i), h.Index(i), src(b.Index(i)), src(h.Index(i)))
		}
	}
}

var (
	planType        = reflect.TypeFor[rollout.Plan]()
	gateType        = reflect.TypeFor[rollout.Gate]()
	gateBindingType = reflect.TypeFor[rollout.GateBinding]()
	selectorType    = reflect.TypeFor[rollout.Selector]()
	triggerType     = reflect.TypeFor[rollout.Trigger]()
	windowType      = reflect.TypeFor[rollout.Window]()
	durationType    = reflect.TypeFor[time.Duration]()
	timeType        = reflect.TypeFor[time.Time]()
	locationType    = reflect.TypeFor[*time.Location]()
	weekdayType     = reflect.TypeFor[time.Weekday]()
)

func block(kind, name string) string { return kind + " " + strconv.Quote(name) }

// blockName turns a slice field's name into its block type: Rings -> ring.
func blockName(field string) string {
	switch field {
	case "Urgencies":
		return "urgency"
	case "Maintenance":
		return "maintenance"
	}
	return attrName(strings.TrimSuffix(field, "s"))
}

// attrName turns a Go field name into snake case: TenantCap -> tenant_cap.
func attrName(field string) string {
	var b strings.Builder
	for i, r := range field {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// value renders a field's value in policy syntax; the zero value of a
// number, duration, string or list is "unset".
func value(v reflect.Value) string {
	if v.IsZero() && v.Kind() != reflect.Bool {
		return "unset"
	}
	return render(v)
}

func render(v reflect.Value) string {
	switch v.Type() {
	case durationType:
		return strconv.Quote(durationText(time.Duration(v.Int())))
	case timeType:
		return strconv.Quote(v.Interface().(time.Time).UTC().Format(time.RFC3339))
	case locationType:
		if v.IsNil() {
			return "unset"
		}
		return strconv.Quote(v.Interface().(*time.Location).String())
	case weekdayType:
		return strconv.Quote(strings.ToLower(time.Weekday(v.Int()).String()[:3]))
	case selectorType:
		sel := v.Interface().(rollout.Selector)
		var parts []string
		for _, m := range sel {
			vals := make([]string, len(m.Values))
			for i, x := range m.Values {
				vals[i] = strconv.Quote(x)
			}
			val := vals[0]
			if len(vals) > 1 {
				val = "[" + strings.Join(vals, ", ") + "]"
			}
			parts = append(parts, m.Key+" = "+val)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	if s, ok := v.Interface().(fmt.Stringer); ok && v.Kind() != reflect.Struct {
		return strconv.Quote(s.String())
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = render(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Struct:
		return brief(v)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "unset"
		}
		return render(v.Elem())
	}
	return fmt.Sprint(v.Interface())
}

// brief renders a block's set attributes and nested blocks on one line:
// { steps = [1, 100], bake = "2h" }.
func brief(v reflect.Value) string {
	var parts []string
	for _, a := range view(v) {
		if a.value != "unset" && a.value != "false" {
			parts = append(parts, a.name+" = "+a.value)
		}
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() || !isBlockList(t, f) || fv.Len() == 0 {
			continue
		}
		kind := blockName(f.Name)
		if _, named := f.Type.Elem().FieldByName("Name"); named {
			names := make([]string, fv.Len())
			for j := range fv.Len() {
				names[j] = strconv.Quote(fv.Index(j).FieldByName("Name").String())
			}
			parts = append(parts, kind+" "+strings.Join(names, ", "))
		} else {
			parts = append(parts, plural(fv.Len(), kind))
		}
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// durationText renders a duration as in a policy: 2h, 30m, 1h30m, 90s.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// locator finds where a block or an attribute is written in one side's
// files.
type locator struct {
	dir    string
	blocks map[rollout.Source]*hclsyntax.Block
}

func newLocator(s Side) *locator {
	l := &locator{dir: s.Dir, blocks: map[rollout.Source]*hclsyntax.Block{}}
	for _, name := range slices.Sorted(maps.Keys(s.Policy.Files)) {
		f := s.Policy.Files[name]
		if f == nil {
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		var walk func(*hclsyntax.Body)
		walk = func(b *hclsyntax.Body) {
			for _, bl := range b.Blocks {
				r := bl.DefRange()
				l.blocks[rollout.Source{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column}] = bl
				walk(bl.Body)
			}
		}
		walk(body)
	}
	return l
}

// at renders a block's source as FILE:LINE.
func (l *locator) at(src rollout.Source) string {
	if src.File == "" && src.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d", prefixed(l.dir, src.File), src.Line)
}

// attrAt renders where attribute name of the block at src is written:
// the attribute's line, or the block's when it is not written (a default)
// or the file is not native syntax.
func (l *locator) attrAt(src rollout.Source, name string) string {
	if bl, ok := l.blocks[src]; ok {
		if name == "content" { // a gate's content: its rego attribute
			name = "rego"
		}
		if a, ok := bl.Body.Attributes[name]; ok {
			return l.at(rollout.Source{File: src.File, Line: a.SrcRange.Start.Line})
		}
		for _, inner := range bl.Body.Blocks {
			if inner.Type == name {
				return l.at(rollout.Source{File: src.File, Line: inner.TypeRange.Start.Line})
			}
		}
	}
	return l.at(src)
}
