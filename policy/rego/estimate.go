package rego

// Estimators of the result sizes of builtins whose result is not linear
// in their arguments' sizes; the wrappers refuse a call before it runs
// when the estimate exceeds what is left of the budget.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringwise/ringwise/rollout"
)

// Estimators of the results of builtins whose result is not linear in
// their arguments.

func estLsh(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	if s, ok := numArg(args, 1); ok && s.Sign() > 0 {
		sh, acc := s.Int64()
		if acc != big.Exact || int64(bitLen(args, 0))+sh > maxNumberBits {
			by := fmt.Sprint(sh)
			if acc != big.Exact {
				by = s.Text('g', 6)
			}
			return 0, overLimit("bits.lsh: shifting by %s gives a number beyond %d digits, the gate sandbox's limit", by, MaxNumberDigits)
		}
	}
	return 2 * n, nil
}

func estProduct(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	bits := 0
	if len(args) > 0 {
		var elems []*ast.Term
		switch c := args[0].Value.(type) {
		case *ast.Array:
			for i := range c.Len() {
				elems = append(elems, c.Elem(i))
			}
		case ast.Set:
			elems = c.Slice()
		}
		for i := range elems {
			bits += bitLen(elems, i)
		}
	}
	if bits > maxNumberBits {
		return 0, overLimit("product: the result would exceed %d digits, the gate sandbox's limit", MaxNumberDigits)
	}
	return 2 * n, nil
}

func estUnits(args []*ast.Term, limit int64) (int64, error) {
	s := strArg(args, 0)
	if len(s) > 2*MaxNumberDigits {
		return 0, overLimit("number with %d characters: the gate sandbox allows %d digits", len(s), MaxNumberDigits)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		digits := strings.TrimLeft(s[i+1:], "+-")
		end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(digits)
		}
		if end > 3 {
			return 0, overLimit("number %s is out of the gate sandbox's range (|x| < 1e%d)", shorten(s, 40), MaxNumberDigits)
		}
	}
	return argsSize(args, limit)
}

func estRange(args []*ast.Term, limit int64) (int64, error) {
	a, ok1 := numArg(args, 0)
	b, ok2 := numArg(args, 1)
	if !ok1 || !ok2 {
		return argsSize(args, limit)
	}
	span := new(big.Float).Sub(b, a)
	span.Abs(span)
	if len(args) > 2 {
		if step, ok := numArg(args, 2); ok && step.Sign() > 0 {
			span.Quo(span, step)
		}
	}
	count, _ := span.Int64()
	if !span.IsInt() || span.Cmp(big.NewFloat(1<<40)) > 0 {
		count = 1 << 40
	}
	return (count + 1) * (nodeSize + 8), nil
}

func estConcat(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	elems := 0
	if len(args) > 1 {
		switch c := args[1].Value.(type) {
		case *ast.Array:
			elems = c.Len()
		case ast.Set:
			elems = c.Len()
		}
	}
	return n + int64(elems)*int64(len(strArg(args, 0))), nil
}

func estSplit(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	// At most one piece per byte of the string (and one more), each a
	// value of its own.
	return n + int64(len(strArg(args, 0))+1)*(nodeSize+8), nil
}

func estRegexSplit(args []*ast.Term, limit int64) (int64, error) {
	if len(strArg(args, 0)) > maxPattern {
		return 0, overLimit("regular expression of %d bytes: the gate sandbox allows %d", len(strArg(args, 0)), maxPattern)
	}
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	return n + int64(len(strArg(args, 1))+1)*(4*nodeSize+8), nil
}

func estPattern(args []*ast.Term, limit int64) (int64, error) {
	if p := strArg(args, 0); len(p) > maxPattern {
		return 0, overLimit("pattern of %d bytes: the gate sandbox allows %d", len(p), maxPattern)
	}
	return argsSize(args, limit)
}

// estCutset bounds the cutset of trim: with runes outside ASCII, trimming
// tests every rune of the string against every rune of the cutset.
func estCutset(args []*ast.Term, limit int64) (int64, error) {
	if c := strArg(args, 1); len(c) > maxPattern {
		return 0, overLimit("cutset of %d bytes: the gate sandbox allows %d", len(c), maxPattern)
	}
	return argsSize(args, limit)
}

func estReplace(args []*ast.Term, limit int64) (int64, error) {
	// Go's replacer preprocesses the string to replace in time quadratic
	// in its length.
	if old := strArg(args, 1); len(old) > maxPattern {
		return 0, overLimit("replace: the string to replace has %d bytes: the gate sandbox allows %d", len(old), maxPattern)
	}
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	s, old, nw := strArg(args, 0), strArg(args, 1), strArg(args, 2)
	occurrences := int64(len(s) + 1)
	if old != "" {
		occurrences = int64(strings.Count(s, old))
	}
	return n + occurrences*int64(len(nw)), nil
}

func estReplaceN(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	longest, longestOld := 0, 0
	if len(args) > 0 {
		if obj, ok := args[0].Value.(ast.Object); ok {
			obj.Foreach(func(k, v *ast.Term) {
				if s, ok := v.Value.(ast.String); ok {
					longest = max(longest, len(s))
				}
				if s, ok := k.Value.(ast.String); ok {
					longestOld = max(longestOld, len(s))
				}
			})
		}
	}
	if longestOld > maxPattern {
		return 0, overLimit("strings.replace_n: a string to replace has %d bytes: the gate sandbox allows %d", longestOld, maxPattern)
	}
	return n + int64(len(strArg(args, 1))+1)*int64(longest), nil
}

func estRegexReplace(args []*ast.Term, limit int64) (int64, error) {
	if len(strArg(args, 1)) > maxPattern {
		return 0, overLimit("regular expression of %d bytes: the gate sandbox allows %d", len(strArg(args, 1)), maxPattern)
	}
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	// Every match (at most one per position) gets the replacement, whose
	// $n references together expand to at most the string once more per
	// reference.
	s, repl := int64(len(strArg(args, 0))), int64(len(strArg(args, 2)))
	return n + (s+1)*(repl+1)*2, nil
}

func estSprintf(args []*ast.Term, limit int64) (int64, error) {
	f := strArg(args, 0)
	verbs := int64(0)
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		verbs++
		// flags, [n], width, precision
		for i < len(f) && strings.IndexByte("+-# 0[]", f[i]) >= 0 || i < len(f) && f[i] >= '0' && f[i] <= '9' || i < len(f) && (f[i] == '.' || f[i] == '*') {
			if f[i] == '*' {
				return 0, overLimit("sprintf: widths taken from arguments (%%*) are not allowed in the gate sandbox")
			}
			if f[i] >= '1' && f[i] <= '9' && (i == 0 || f[i-1] != '[') {
				j := i
				for j < len(f) && f[j] >= '0' && f[j] <= '9' {
					j++
				}
				if j-i > 4 || atoi(f[i:j]) > maxFormatWidth {
					return 0, overLimit("sprintf: width or precision %s is over %d, the gate sandbox's limit", shorten(f[i:j], 20), maxFormatWidth)
				}
				i = j
				continue
			}
			i++
		}
	}
	n, err := argsSize(args, limit/6+1)
	if err != nil {
		return n, err
	}
	return 6*n + verbs*maxFormatWidth, nil
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func estMarshalIndent(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args[:1], limit/6+1)
	if err != nil {
		return n, err
	}
	indent := int64(0)
	if len(args) > 1 {
		if obj, ok := args[1].Value.(ast.Object); ok {
			for _, k := range []string{"prefix", "indent"} {
				if v := obj.Get(ast.StringTerm(k)); v != nil {
					if s, ok := v.Value.(ast.String); ok {
						indent += int64(len(s))
					}
				}
			}
		}
	}
	// Every value is on a line of its own, indented at most its depth
	// times, and depth is at most the number of values.
	values := n / nodeSize
	return 6*n + values*values*indent, nil
}

func estPatch(args []*ast.Term, limit int64) (int64, error) {
	n, err := argsSize(args, limit)
	if err != nil {
		return n, err
	}
	ops := 0
	if len(args) > 1 {
		if arr, ok := args[1].Value.(*ast.Array); ok {
			ops = arr.Len()
		}
	}
	doc, _ := sizeOf(args[0], limit)
	return n + int64(ops)*doc, nil
}

// checkModule reports what the sandbox refuses in a parsed module: number
// literals beyond MaxNumberDigits, and names the sandbox reserves.
func checkModule(m *ast.Module) []*Error {
	var errs []*Error
	ast.WalkTerms(m, func(t *ast.Term) bool {
		bad := func(code, format string, args ...any) {
			errs = append(errs, &Error{Src: locSrc(t.Location), Code: code, Msg: fmt.Sprintf(format, args...)})
		}
		switch v := t.Value.(type) {
		case ast.Number:
			if err := checkNumber(v); err != nil {
				bad("ringwise_sandbox_error", "%v", err)
			}
		case ast.Var:
			if strings.HasPrefix(string(v), strings.TrimSuffix(wrapPrefix, ".")) {
				bad("ringwise_sandbox_error", "names starting with %s are reserved", strings.TrimSuffix(wrapPrefix, "."))
			}
		}
		return false
	})
	for _, r := range m.Rules {
		ast.WalkExprs(r, func(x *ast.Expr) bool {
			if x.IsEquality() && !x.Generated {
				errs = append(errs, &Error{Src: locSrc(x.Location), Code: "ringwise_sandbox_error",
					Msg: "= (unification) is not allowed in gates: write := to assign or == to compare (OPA unifies two values by recursing once per element, and large or shared values overflow the stack, which kills the process)"})
			}
			return false
		})
	}
	for _, e := range errs {
		if e.Src.Line < 1 {
			e.Src = rollout.Source{File: m.Package.Location.File, Line: 1, Column: 1}
		}
	}
	return errs
}

// checkData fails for a number in a data document beyond
// MaxNumberDigits, and returns its text.
func checkData(v any) (string, error) {
	switch v := v.(type) {
	case json.Number:
		return string(v), checkNumber(ast.Number(v))
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if n, err := checkData(v[k]); err != nil {
				return n, err
			}
		}
	case []any:
		for _, x := range v {
			if n, err := checkData(x); err != nil {
				return n, err
			}
		}
	}
	return "", nil
}
