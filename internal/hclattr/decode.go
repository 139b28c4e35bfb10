package hclattr

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/ringwise/ringwise/rollout"
)

// Decoder decodes typed attribute values for the policy and scenario
// loaders, with the same messages for both: it checks types and shapes
// (a string, a whole number, a finite number, a duration, a list without
// nulls); ranges are the caller's rules. Every attribute method takes a
// nil attribute as absent and returns false without a diagnostic (the
// schema reports a required one). Values must have passed CheckLiterals:
// they are evaluated with no variables and no functions.
type Decoder struct {
	// Report receives every diagnostic.
	Report func(*hcl.Diagnostic)
}

var evalContext = &hcl.EvalContext{Functions: map[string]function.Function{}}

// Errorf reports an error at rng.
func (d *Decoder) Errorf(rng hcl.Range, summary, format string, args ...any) {
	r := rng
	d.Report(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: &r})
}

// Add reports diags.
func (d *Decoder) Add(diags hcl.Diagnostics) {
	for _, x := range diags {
		d.Report(x)
	}
}

// Value evaluates a and converts it to ty; what names ty for people
// ("string", "list of number").
func (d *Decoder) Value(a *hcl.Attribute, ty cty.Type, what string) (cty.Value, bool) {
	if a == nil {
		return cty.NilVal, false
	}
	v, diags := a.Expr.Value(evalContext)
	d.Add(diags)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		d.Errorf(a.Expr.Range(), "Invalid value", "The value of %q cannot be computed when the file is loaded.", a.Name)
		return cty.NilVal, false
	}
	if v.IsNull() {
		d.Errorf(a.Expr.Range(), "Invalid value", "The value of %q must not be null; omit the attribute instead.", a.Name)
		return cty.NilVal, false
	}
	cv, err := convertValue(v, ty)
	if err != nil {
		d.Errorf(a.Expr.Range(), "Incorrect attribute value type", "Inappropriate value for attribute %q: %s required.", a.Name, what)
		return cty.NilVal, false
	}
	if ty.IsListType() || ty.IsMapType() {
		for it := cv.ElementIterator(); it.Next(); {
			if _, e := it.Element(); e.IsNull() {
				d.Errorf(a.Expr.Range(), "Incorrect attribute value type", "Inappropriate value for attribute %q: %s required, and null is not allowed as an element.", a.Name, what)
				return cty.NilVal, false
			}
		}
	}
	return cv, true
}

// String decodes a string.
func (d *Decoder) String(a *hcl.Attribute) (string, bool) {
	v, ok := d.Value(a, cty.String, "string")
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

// Bool decodes true or false.
func (d *Decoder) Bool(a *hcl.Attribute) (bool, bool) {
	v, ok := d.Value(a, cty.Bool, "bool")
	if !ok {
		return false, false
	}
	return v.True(), true
}

// Number decodes a number that a float64 holds.
func (d *Decoder) Number(a *hcl.Attribute) (float64, bool) {
	v, ok := d.Value(a, cty.Number, "number")
	if !ok {
		return 0, false
	}
	f, _ := v.AsBigFloat().Float64()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		d.Errorf(a.Expr.Range(), "Number out of range", "The value of %q is out of range: numbers must be within ±%.4g.", a.Name, math.MaxFloat64)
		return 0, false
	}
	return f, true
}

// Int decodes a whole number within ±math.MaxInt32.
func (d *Decoder) Int(a *hcl.Attribute) (int, bool) {
	f, ok := d.Number(a)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) {
		d.Errorf(a.Expr.Range(), "Invalid value", "The value of %q must be a whole number, got %g.", a.Name, f)
		return 0, false
	}
	if math.Abs(f) > math.MaxInt32 {
		d.Errorf(a.Expr.Range(), "Number out of range", "The value of %q is %g; whole numbers must be within ±%d.", a.Name, f, math.MaxInt32)
		return 0, false
	}
	return int(f), true
}

// StringList decodes a list of strings.
func (d *Decoder) StringList(a *hcl.Attribute) ([]string, bool) {
	v, ok := d.Value(a, cty.List(cty.String), "list of string")
	if !ok {
		return nil, false
	}
	return stringsOf(v), true
}

// Strings decodes a string or a list of strings.
func (d *Decoder) Strings(a *hcl.Attribute) ([]string, bool) {
	if a == nil {
		return nil, false
	}
	if v, diags := a.Expr.Value(evalContext); !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return []string{v.AsString()}, true
	}
	v, ok := d.Value(a, cty.List(cty.String), "string or list of string")
	if !ok {
		return nil, false
	}
	return stringsOf(v), true
}

func stringsOf(v cty.Value) []string {
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	return out
}

// StringMap decodes an object of string values, by key.
func (d *Decoder) StringMap(a *hcl.Attribute, what string) (map[string]string, bool) {
	v, ok := d.Value(a, cty.Map(cty.String), what)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		out[k.AsString()] = e.AsString()
	}
	return out, true
}

// NumberMap decodes an object of number values, by key, in key order.
func (d *Decoder) NumberMap(a *hcl.Attribute, what string) (map[string]float64, bool) {
	v, ok := d.Value(a, cty.Map(cty.Number), what)
	if !ok {
		return nil, false
	}
	out := map[string]float64{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		f, _ := e.AsBigFloat().Float64()
		if math.IsInf(f, 0) {
			d.Errorf(a.Expr.Range(), "Number out of range", "The value of %q for %q is out of range: numbers must be within ±%.4g.", a.Name, k.AsString(), math.MaxFloat64)
			return nil, false
		}
		out[k.AsString()] = f
	}
	return out, true
}

// NumberList decodes a list of numbers and returns the source range of
// each element (the attribute's when it cannot tell).
func (d *Decoder) NumberList(a *hcl.Attribute) ([]float64, []hcl.Range, bool) {
	v, ok := d.Value(a, cty.List(cty.Number), "list of number")
	if !ok {
		return nil, nil, false
	}
	ranges := ElementRanges(a, v.LengthInt())
	out := make([]float64, 0, v.LengthInt())
	bad := false
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		f, _ := e.AsBigFloat().Float64()
		if math.IsInf(f, 0) {
			d.Errorf(ranges[len(out)], "Number out of range", "An element of %q is out of range: numbers must be within ±%.4g.", a.Name, math.MaxFloat64)
			bad = true
		}
		out = append(out, f)
	}
	if bad {
		return nil, nil, false
	}
	return out, ranges, true
}

// ElementRanges returns the source range of each of the n elements of a
// list attribute, or the attribute's range when they cannot be told.
func ElementRanges(a *hcl.Attribute, n int) []hcl.Range {
	out := make([]hcl.Range, n)
	for i := range out {
		out[i] = a.Expr.Range()
	}
	if exprs, d := hcl.ExprList(a.Expr); !d.HasErrors() && len(exprs) == n {
		for i, e := range exprs {
			out[i] = e.Range()
		}
	}
	return out
}

// Duration decodes a duration string (see ParseDuration).
func (d *Decoder) Duration(a *hcl.Attribute) (time.Duration, bool) {
	s, ok := d.String(a)
	if !ok {
		return 0, false
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.Errorf(a.Expr.Range(), "Invalid duration", "%s.", err)
		return 0, false
	}
	return v, true
}

// Time decodes an RFC 3339 time.
func (d *Decoder) Time(a *hcl.Attribute) (time.Time, bool) {
	s, ok := d.String(a)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d.Errorf(a.Expr.Range(), "Invalid time", "%s must be an RFC 3339 time such as \"2026-12-20T00:00:00Z\", got %q.", a.Name, s)
		return time.Time{}, false
	}
	return t, true
}

// Selector decodes the select blocks among blocks: at most one, each
// attribute a host label = a string or a non-empty list of distinct,
// non-empty strings, or { not = ... } with either for a negated term, in
// source order.
func (d *Decoder) Selector(blocks hcl.Blocks) rollout.Selector {
	var sel rollout.Selector
	n := 0
	for _, b := range blocks {
		if b.Type != "select" {
			continue
		}
		if n++; n > 1 {
			d.Errorf(b.DefRange, "Duplicate select block", "A block may have only one select block; list every label in it (labels are ANDed).")
			continue
		}
		attrs, diags := b.Body.JustAttributes()
		d.Add(diags)
		list := make([]*hcl.Attribute, 0, len(attrs))
		for _, a := range attrs {
			list = append(list, a)
		}
		slices.SortFunc(list, func(x, y *hcl.Attribute) int { return x.Range.Start.Byte - y.Range.Start.Byte })
		for _, a := range list {
			not := false
			if pairs, diags := hcl.ExprMap(a.Expr); !diags.HasErrors() {
				// label = { not = "v" } or { not = ["v1", "v2"] }: the
				// host's label must be absent or none of the values.
				key := ""
				if len(pairs) == 1 {
					if k, kd := pairs[0].Key.Value(nil); !kd.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
						key = k.AsString()
					}
				}
				if key != "not" {
					msg := "A label's value is a string, a list of strings, or { not = ... } for the hosts whose label has none of the values."
					if len(pairs) == 1 && key != "" && Suggest(key, []string{"not"}) != "" {
						msg += ` Did you mean "not"?`
					}
					d.Errorf(a.Expr.Range(), "Invalid selector", "%s", msg)
					continue
				}
				a = &hcl.Attribute{Name: a.Name, Expr: pairs[0].Value, Range: a.Range, NameRange: a.NameRange}
				not = true
			}
			vals, ok := d.Strings(a)
			if !ok {
				continue
			}
			if len(vals) == 0 {
				d.Errorf(a.Expr.Range(), "Invalid selector", "Label %q lists no values, so it would match no host; omit it to match every value.", a.Name)
				continue
			}
			d.CheckNames(a, vals, "value")
			sel = append(sel, rollout.Match{Key: a.Name, Values: vals, Not: not})
		}
	}
	return sel
}

// CheckNames reports empty and repeated entries of a list of names.
func (d *Decoder) CheckNames(a *hcl.Attribute, names []string, what string) {
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			d.Errorf(a.Expr.Range(), "Invalid "+a.Name, "%s lists an empty %s.", a.Name, what)
		} else if slices.Contains(names[:i], n) {
			d.Errorf(a.Expr.Range(), "Invalid "+a.Name, "%s lists %s %q twice.", a.Name, what, n)
		}
	}
}

// convertValue converts v to ty as convert.Convert does, but a list or map
// of a primitive type element by element: cty unifies the element types of
// a whole tuple with a quadratic sort, so a 100,000-element list literal
// took a minute to convert.
func convertValue(v cty.Value, ty cty.Type) (cty.Value, error) {
	vt := v.Type()
	switch {
	case ty.IsListType() && ty.ElementType().IsPrimitiveType() && (vt.IsTupleType() || vt.IsListType()):
		if v.LengthInt() == 0 {
			return cty.ListValEmpty(ty.ElementType()), nil
		}
		elems := make([]cty.Value, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			ce, err := convert.Convert(e, ty.ElementType())
			if err != nil {
				return cty.NilVal, err
			}
			elems = append(elems, ce)
		}
		return cty.ListVal(elems), nil
	case ty.IsMapType() && ty.ElementType().IsPrimitiveType() && (vt.IsObjectType() || vt.IsMapType()):
		if v.LengthInt() == 0 {
			return cty.MapValEmpty(ty.ElementType()), nil
		}
		elems := make(map[string]cty.Value, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			ce, err := convert.Convert(e, ty.ElementType())
			if err != nil {
				return cty.NilVal, err
			}
			elems[k.AsString()] = ce
		}
		return cty.MapVal(elems), nil
	}
	return convert.Convert(v, ty)
}
