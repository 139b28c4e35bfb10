package policy

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// unclosedSummary is the summary of HCL's diagnostic for a block whose
// closing brace never comes.
const unclosedSummary = "Unclosed configuration block"

// pointUnclosed makes HCL's "Unclosed configuration block" diagnostics
// point at the block that most likely lacks its brace. HCL can only tell
// that the outermost block is still open at the end of the file: a brace
// left out of an inner block is taken by the next block down, so the
// error lands on the enclosing block, lines away from the mistake. The
// indentation says more: the first line that starts, not indented, inside
// a block (say `ring "early" {` at the column of `ring "canary" {`, before
// canary's brace) shows that block was meant to be closed. When such a
// block is found, and its brace is missing or out of line with it, the
// diagnostic's subject is its header, its context runs to the line that
// shows it, and HCL's own range stays in the detail. Other diagnostics are
// returned as they are.
func pointUnclosed(src []byte, filename string, diags hcl.Diagnostics) hcl.Diagnostics {
	i := -1
	for k, d := range diags {
		if d.Summary == unclosedSummary && d.Subject != nil {
			i = k
			break
		}
	}
	if i < 0 {
		return diags
	}
	open, next, ok := unclosedByIndent(src, filename)
	if !ok {
		return diags
	}
	d := *diags[i]
	outer := d.Subject
	d.Detail = fmt.Sprintf("This block has no closing brace before line %d, where %s starts at the block's own indentation; "+
		"the brace that follows later closes it instead, which leaves the block at line %d unclosed at the end of the file.",
		next.Start.Line, describeToken(src, next), outer.Start.Line)
	d.Subject = &open
	d.Context = &hcl.Range{Filename: filename, Start: open.Start, End: next.Start}
	out := make(hcl.Diagnostics, len(diags))
	copy(out, diags)
	out[i] = &d
	return out
}

// describeToken names what a line starts with: its first word, quoted.
func describeToken(src []byte, r hcl.Range) string {
	end := r.End.Byte
	if end > len(src) || r.Start.Byte >= end {
		return "another item"
	}
	return fmt.Sprintf("%q", string(src[r.Start.Byte:end]))
}

// unclosedByIndent finds the innermost open brace whose body is left by
// a line that starts at or left of the column where the brace's own line
// starts, and whose matching brace is missing or at another column. It
// returns the range from that line's first token to the brace, and the
// range of the token that leaves the body.
func unclosedByIndent(src []byte, filename string) (open, next hcl.Range, ok bool) {
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	type opener struct {
		typ    hclsyntax.TokenType
		indent int       // column of the first token of the opener's line
		head   hcl.Range // that token to the opener
	}
	var stack []opener
	var lineFirst hcl.Range // first token of the current line
	atLineStart := true
	var suspect *opener
	var suspectDepth int
	var leaving hcl.Range
	for _, t := range toks {
		if t.Type == hclsyntax.TokenNewline || t.Type == hclsyntax.TokenEOF {
			atLineStart = true
			continue
		}
		if t.Type == hclsyntax.TokenComment {
			// Line comments hold their newline; comments are often out
			// of line, so they never count as leaving a body.
			if b := t.Bytes; len(b) > 0 && b[len(b)-1] == '\n' {
				atLineStart = true
			}
			continue
		}
		first := atLineStart
		atLineStart = false
		if first {
			lineFirst = t.Range
			if n := len(stack); n > 0 && suspect == nil && stack[n-1].typ == hclsyntax.TokenOBrace &&
				!closes(t.Type) && t.Range.Start.Column <= stack[n-1].indent {
				s := stack[n-1]
				suspect, suspectDepth, leaving = &s, n, t.Range
			}
		}
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, opener{typ: t.Type, indent: lineFirst.Start.Column,
				head: hcl.Range{Filename: filename, Start: lineFirst.Start, End: t.Range.End}})
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCHeredoc,
			hclsyntax.TokenTemplateSeqEnd:
			if len(stack) == 0 {
				continue
			}
			if suspect != nil && len(stack) == suspectDepth {
				// The suspect's own brace: if it lines up with the
				// block, the indentation was only untidy.
				if first && t.Range.Start.Column == suspect.indent {
					suspect = nil
				} else {
					return suspect.head, leaving, true
				}
			}
			stack = stack[:len(stack)-1]
		}
	}
	if suspect != nil {
		return suspect.head, leaving, true
	}
	return hcl.Range{}, hcl.Range{}, false
}

// closes says whether a token type closes a bracket.
func closes(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
		return true
	}
	return false
}
