package policy

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting is how deeply expressions, blocks and templates of a policy
// file may nest. HCL's parsers are recursive: a file of a few hundred
// kilobytes of "[[[[..." or "!!!!..." would otherwise overflow the stack,
// which kills the process (a Go stack overflow cannot be recovered).
const MaxNesting = 1000

// CheckNesting reports an error diagnostic when src nests deeper than
// MaxNesting; isJSON selects HCL's JSON form. It only lexes (without
// recursion), so it is safe on any input; call it before parsing.
func CheckNesting(src []byte, filename string, isJSON bool) hcl.Diagnostics {
	var at hcl.Pos
	var ok bool
	if isJSON {
		at, ok = jsonNesting(src)
	} else {
		at, ok = nativeNesting(src, filename)
	}
	if ok {
		return nil
	}
	end := at
	end.Byte++
	end.Column++
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Nested too deeply",
		Detail:   fmt.Sprintf("Expressions, blocks and templates may nest at most %d levels deep.", MaxNesting),
		Subject:  &hcl.Range{Filename: filename, Start: at, End: end},
	}}
}

// nativeNesting bounds the recursion of HCL's native parser: open
// brackets, quotes and template sequences, if/for template directives, and
// within each bracket the unary operators and conditionals ("?") that nest
// the expression they are part of. It returns where the limit is passed.
func nativeNesting(src []byte, filename string) (hcl.Pos, bool) {
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	type level struct {
		body bool // a block body or object: a newline ends an item
		n    int  // unary operators and conditionals of the current item
	}
	stack := []level{{body: true}}
	depth := 0 // len(stack)-1 + the n of every level + directives
	for i, t := range toks {
		top := &stack[len(stack)-1]
		switch t.Type {
		case hclsyntax.TokenOBrace:
			// A block body or an object: a newline ends an item. In a
			// for expression ({for k, v in x : k => v}) newlines are
			// insignificant.
			forExpr := next(toks, i).Type == hclsyntax.TokenIdent && string(next(toks, i).Bytes) == "for"
			stack = append(stack, level{body: !forExpr})
			depth++
		case hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, level{})
			depth++
			if t.Type == hclsyntax.TokenTemplateControl && i+1 < len(toks) && toks[i+1].Type == hclsyntax.TokenIdent {
				switch string(toks[i+1].Bytes) {
				case "if", "for":
					depth++ // the directive's body nests until its end
				case "endif", "endfor":
					depth--
				}
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc,
			hclsyntax.TokenTemplateSeqEnd:
			if len(stack) > 1 {
				depth -= 1 + top.n
				stack = stack[:len(stack)-1]
			}
		case hclsyntax.TokenBang, hclsyntax.TokenMinus, hclsyntax.TokenQuestion:
			top.n++
			depth++
		case hclsyntax.TokenComma:
			depth -= top.n
			top.n = 0
		case hclsyntax.TokenNewline:
			if top.body {
				depth -= top.n
				top.n = 0
			}
		}
		if depth > MaxNesting {
			return t.Range.Start, false
		}
	}
	return hcl.Pos{}, true
}

// next returns the token after toks[i] that is not a newline or comment.
func next(toks hclsyntax.Tokens, i int) hclsyntax.Token {
	for _, t := range toks[i+1:] {
		if t.Type != hclsyntax.TokenNewline && t.Type != hclsyntax.TokenComment {
			return t
		}
	}
	return hclsyntax.Token{}
}

// jsonNesting bounds the depth of arrays and objects in JSON source.
func jsonNesting(src []byte) (hcl.Pos, bool) {
	depth := 0
	pos := hcl.InitialPos
	inString, escaped := false, false
	for i, c := range src {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxNesting {
				pos.Byte = i
				return pos, false
			}
		case c == ']' || c == '}':
			depth--
		}
		if c == '\n' {
			pos.Line++
			pos.Column = 1
		} else if c&0xc0 != 0x80 { // count runes, not continuation bytes
			pos.Column++
		}
	}
	return hcl.Pos{}, true
}
