package policy

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// newEvalContext returns the context expressions are evaluated in: no
// variables and no functions, so a policy is a plain value that reads
// nothing. A reference (var.x) is "Variables not allowed"; a call (file("x"))
// is "Call to unknown function".
func newEvalContext() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: map[string]function.Function{}}
}

// errorf appends an error diagnostic at rng.
func (l *loader) errorf(rng hcl.Range, summary, format string, args ...any) {
	r := rng
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  &r,
	})
	l.nerr++
}

// value evaluates attr and converts it to ty; what names ty for people.
func (l *loader) value(attr *hcl.Attribute, ty cty.Type, what string) (cty.Value, bool) {
	if attr == nil {
		return cty.NilVal, false // absent: the schema reports a required one
	}
	v, d := attr.Expr.Value(l.ctx)
	l.add(d)
	if d.HasErrors() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		l.errorf(attr.Expr.Range(), "Invalid value", "The value of %q cannot be computed when the policy is loaded.", attr.Name)
		return cty.NilVal, false
	}
	if v.IsNull() {
		l.errorf(attr.Expr.Range(), "Invalid value", "The value of %q must not be null; omit the attribute instead.", attr.Name)
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		l.errorf(attr.Expr.Range(), "Incorrect attribute value type", "Inappropriate value for attribute %q: %s required.", attr.Name, what)
		return cty.NilVal, false
	}
	if ty.IsListType() {
		for it := cv.ElementIterator(); it.Next(); {
			if _, e := it.Element(); e.IsNull() {
				l.errorf(attr.Expr.Range(), "Incorrect attribute value type", "Inappropriate value for attribute %q: %s required, and null is not allowed as an element.", attr.Name, what)
				return cty.NilVal, false
			}
		}
	}
	return cv, true
}

func (l *loader) stringAttr(attr *hcl.Attribute) (string, bool) {
	v, ok := l.value(attr, cty.String, "string")
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (l *loader) boolAttr(attr *hcl.Attribute) (bool, bool) {
	v, ok := l.value(attr, cty.Bool, "bool")
	if !ok {
		return false, false
	}
	return v.True(), true
}

func (l *loader) numberAttr(attr *hcl.Attribute) (float64, bool) {
	v, ok := l.value(attr, cty.Number, "number")
	if !ok {
		return 0, false
	}
	f, _ := v.AsBigFloat().Float64()
	return l.float(attr, f)
}

func (l *loader) float(attr *hcl.Attribute, f float64) (float64, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		l.errorf(attr.Expr.Range(), "Number out of range", "The value of %q is out of range: numbers must be within ±%.4g.", attr.Name, math.MaxFloat64)
		return 0, false
	}
	return f, true
}

func (l *loader) intAttr(attr *hcl.Attribute) (int, bool) {
	f, ok := l.numberAttr(attr)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) {
		l.errorf(attr.Expr.Range(), "Invalid value", "The value of %q must be a whole number, got %g.", attr.Name, f)
		return 0, false
	}
	if math.Abs(f) > math.MaxInt32 {
		l.errorf(attr.Expr.Range(), "Number out of range", "The value of %q is %g; whole numbers must be within ±%d.", attr.Name, f, math.MaxInt32)
		return 0, false
	}
	return int(f), true
}

// stringListAttr decodes a list of strings.
func (l *loader) stringListAttr(attr *hcl.Attribute) ([]string, bool) {
	v, ok := l.value(attr, cty.List(cty.String), "list of string")
	if !ok {
		return nil, false
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	return out, true
}

// stringsAttr decodes a string or a list of strings.
func (l *loader) stringsAttr(attr *hcl.Attribute) ([]string, bool) {
	v, d := attr.Expr.Value(l.ctx)
	if !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return []string{v.AsString()}, true
	}
	v, ok := l.value(attr, cty.List(cty.String), "string or list of string")
	if !ok {
		return nil, false
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	return out, true
}

// numberListAttr decodes a list of numbers and returns, when it can tell,
// the source range of each element.
func (l *loader) numberListAttr(attr *hcl.Attribute) ([]float64, []hcl.Range, bool) {
	v, ok := l.value(attr, cty.List(cty.Number), "list of number")
	if !ok {
		return nil, nil, false
	}
	ranges := elementRanges(attr, v.LengthInt())
	out := make([]float64, 0, v.LengthInt())
	bad := false
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		f, _ := e.AsBigFloat().Float64()
		if math.IsInf(f, 0) {
			rng := ranges[len(out)]
			l.errorf(rng, "Number out of range", "An element of %q is out of range: numbers must be within ±%.4g.", attr.Name, math.MaxFloat64)
			bad = true
		}
		out = append(out, f)
	}
	if bad {
		return nil, nil, false
	}
	return out, ranges, true
}

// durationAttr decodes a duration string (see ParseDuration).
func (l *loader) durationAttr(attr *hcl.Attribute) (time.Duration, bool) {
	s, ok := l.stringAttr(attr)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		l.errorf(attr.Expr.Range(), "Invalid duration", "%s.", err)
		return 0, false
	}
	return d, true
}

var (
	daysPrefix = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)d`)
	// durationSyntax is Go's duration syntax, which time.ParseDuration
	// refuses only when the value overflows.
	durationSyntax = regexp.MustCompile(`^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)
)

// ParseDuration parses a duration as written in a policy: Go's syntax
// (time.ParseDuration: "30m", "2h", "1h30m", "90s") plus a leading count of
// days, "d", of 24 hours each ("2d", "1d12h", "1.5d"). A leading minus sign
// is accepted (the caller decides whether a negative duration makes sense).
func ParseDuration(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("invalid duration %q: write a number and a unit, such as 30m, 2h, 1h30m or 2d", s)
	}
	rest, neg := s, false
	if strings.HasPrefix(rest, "-") {
		rest, neg = rest[1:], true
	} else if strings.HasPrefix(rest, "+") {
		rest = rest[1:]
	}
	var d time.Duration
	if m := daysPrefix.FindStringSubmatch(rest); m != nil {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return bad()
		}
		if n > 100000 {
			return 0, fmt.Errorf("duration %q is too long: at most 100000d can be written in days", s)
		}
		d = time.Duration(n * float64(24*time.Hour))
		rest = rest[len(m[0]):]
		if rest == "" {
			if neg {
				d = -d
			}
			return d, nil
		}
	}
	if rest == "" || rest[0] == '-' || rest[0] == '+' {
		return bad()
	}
	x, err := time.ParseDuration(rest)
	if err != nil && durationSyntax.MatchString(rest) || err == nil && x > math.MaxInt64-d {
		return 0, fmt.Errorf("duration %q is too long: the longest a duration can be is %s (about 292 years)", s, time.Duration(math.MaxInt64).Truncate(time.Hour))
	}
	if err != nil {
		return bad()
	}
	d += x
	if neg {
		d = -d
	}
	return d, nil
}
