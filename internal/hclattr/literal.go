// Package hclattr holds what the policy and scenario loaders share about
// HCL values: the check that a file holds only literals, made on the
// syntax tree before anything is evaluated, and the typed attribute
// decoder.
package hclattr

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// literalHelp is what every "not allowed" diagnostic ends with.
const literalHelp = "Values are literals: a string in quotes, a number, true or false, a list [...] or an object { ... }."

// CheckLiterals reports every attribute of body (a body parsed from native
// syntax, with all its nested blocks) whose value is not a literal, with
// what to write instead. It walks the syntax tree and evaluates nothing,
// so its cost is linear in the size of the file whatever the expressions
// would compute. A body that is not native syntax is left alone (see
// CheckJSONLiterals).
func CheckLiterals(body hcl.Body) hcl.Diagnostics {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	checkBody(b, &diags)
	return diags
}

func checkBody(b *hclsyntax.Body, diags *hcl.Diagnostics) {
	attrs := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		attrs = append(attrs, a)
	}
	slices.SortFunc(attrs, func(x, y *hclsyntax.Attribute) int { return x.SrcRange.Start.Byte - y.SrcRange.Start.Byte })
	for _, a := range attrs {
		if d := checkExpr(a.Expr); d != nil {
			*diags = append(*diags, d)
		}
	}
	for _, blk := range b.Blocks {
		checkBody(blk.Body, diags)
	}
}

// checkExpr returns a diagnostic for the first part of e that is not a
// literal, or nil.
func checkExpr(e hclsyntax.Expression) *hcl.Diagnostic {
	notAllowed := func(at hclsyntax.Expression, what, instead string) *hcl.Diagnostic {
		rng := at.Range()
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  what + " not allowed",
			Detail:   instead + " " + literalHelp,
			Subject:  &rng,
		}
	}
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return nil
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				return notAllowed(p, "Template", `Interpolations ("${...}") and directives ("%{...}") are not evaluated: write the plain string; write "$${" or "%%{" for a literal "${" or "%{".`)
			}
		}
		return nil
	case *hclsyntax.TemplateWrapExpr, *hclsyntax.TemplateJoinExpr:
		return notAllowed(e, "Template", `Interpolations ("${...}") and directives ("%{...}") are not evaluated: write the value itself.`)
	case *hclsyntax.TupleConsExpr:
		for _, x := range e.Exprs {
			if d := checkExpr(x); d != nil {
				return d
			}
		}
		return nil
	case *hclsyntax.ObjectConsExpr:
		for _, it := range e.Items {
			if k, ok := it.KeyExpr.(*hclsyntax.ObjectConsKeyExpr); ok {
				if k.ForceNonLiteral {
					return notAllowed(k, "Computed key", "Write the key as a name or a quoted string, without parentheses.")
				}
				if hcl.ExprAsKeyword(k.Wrapped) == "" {
					if d := checkExpr(k.Wrapped); d != nil {
						return d
					}
				}
			} else if d := checkExpr(it.KeyExpr); d != nil {
				return d
			}
			if d := checkExpr(it.ValueExpr); d != nil {
				return d
			}
		}
		return nil
	case *hclsyntax.UnaryOpExpr:
		if lit, ok := e.Val.(*hclsyntax.LiteralValueExpr); ok && e.Op == hclsyntax.OpNegate && lit.Val.Type() == cty.Number {
			return nil // a negative number
		}
		return notAllowed(e, "Operator", "Operators are not evaluated: write the resulting value, such as -1 or false.")
	case *hclsyntax.BinaryOpExpr:
		return notAllowed(e, "Operator", "Arithmetic, comparisons and logic are not evaluated: write the resulting value, such as 0.5 or true.")
	case *hclsyntax.ConditionalExpr:
		return notAllowed(e, "Conditional", "Conditionals (c ? a : b) are not evaluated: write the value you mean.")
	case *hclsyntax.ForExpr:
		return notAllowed(e, "For expression", "For expressions are not evaluated: write the list or object out, such as [1, 10, 50, 100].")
	case *hclsyntax.FunctionCallExpr:
		return notAllowed(e, "Function call", fmt.Sprintf("There are no functions (%s is not called): write the value itself.", e.Name))
	case *hclsyntax.ScopeTraversalExpr:
		if len(e.Traversal) == 1 {
			return notAllowed(e, "Reference", fmt.Sprintf("There are no variables: a string needs quotes, such as %q.", e.Traversal.RootName()))
		}
		return notAllowed(e, "Reference", "There are no variables: write the value itself.")
	case *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr, *hclsyntax.SplatExpr, *hclsyntax.AnonSymbolExpr:
		return notAllowed(e, "Index or splat expression", "Indexes ([0], .name) and splats ([*]) are not evaluated: write the value itself.")
	case *hclsyntax.ParenthesesExpr:
		return notAllowed(e, "Parentheses", "Write the value without parentheses.")
	default:
		return notAllowed(e, "Expression", "Write a literal value.")
	}
}

// CheckJSONLiterals reports every string of src, HCL's JSON form, that
// holds a template sequence ("${" or "%{"): HCL would evaluate it as an
// expression when the attribute is decoded. In JSON everything else is a
// literal already. Strings are checked decoded (so "\u0024{" counts) and
// located at their opening quote; it makes one pass over src and never
// recurses. src that is not JSON is left to the parser's diagnostics.
func CheckJSONLiterals(src []byte, filename string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	pos := hcl.InitialPos
	var start hcl.Pos
	inString, escaped, hasEscape := false, false, false
	for i, c := range src {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped, hasEscape = true, true
			case c == '"':
				inString = false
				raw := src[start.Byte : i+1]
				s := string(raw[1 : len(raw)-1])
				if hasEscape {
					if json.Unmarshal(raw, &s) != nil {
						break // the parser reports it
					}
				}
				if at := templateStart(s); at >= 0 {
					end := pos
					end.Byte, end.Column = end.Byte+1, end.Column+1
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Template not allowed",
						Detail: fmt.Sprintf("This string holds %q, which HCL would evaluate as a template. Write the plain string; write \"$${\" or \"%%%%{\" for a literal \"${\" or \"%%{\". ", s[at:at+2]) +
							"Values are literals: strings, numbers, true or false, arrays and objects.",
						Subject: &hcl.Range{Filename: filename, Start: start, End: end},
					})
				}
			}
		case c == '"':
			inString, hasEscape = true, false
			start = pos
		}
		pos.Byte = i + 1
		if c == '\n' {
			pos.Line++
			pos.Column = 1
		} else if c&0xc0 != 0x80 { // count runes, not continuation bytes
			pos.Column++
		}
	}
	return diags
}

// templateStart returns where s starts an interpolation or a directive,
// or -1. "$${" and "%%{" are escapes for literal "${" and "%{".
func templateStart(s string) int {
	for i := 0; i+1 < len(s); i++ {
		switch {
		case (s[i] == '$' || s[i] == '%') && i+2 < len(s) && s[i+1] == s[i] && s[i+2] == '{':
			i += 2
		case (s[i] == '$' || s[i] == '%') && s[i+1] == '{':
			return i
		}
	}
	return -1
}
