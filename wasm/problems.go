package main

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Problem is one diagnostic placed in its file, for an editor to mark:
// From and To are offsets in UTF-16 code units (JavaScript string indices)
// into the file's source, Line and Column (1-based, in characters) are for
// people. A problem that points at no file (File "") belongs to no range.
type Problem struct {
	File     string `json:"file"`
	Severity string `json:"severity"` // "error" or "warning"
	Message  string `json:"message"`  // summary: detail
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	From     int    `json:"from"`
	To       int    `json:"to"`
}

// problems places diags in the sources of files (name to source). A range
// beyond its source is clamped to it.
func problems(sources map[string][]byte, diags hcl.Diagnostics) []Problem {
	out := make([]Problem, 0, len(diags))
	for _, d := range diags {
		p := Problem{Severity: "error", Message: d.Summary}
		if d.Severity == hcl.DiagWarning {
			p.Severity = "warning"
		}
		if d.Detail != "" {
			p.Message += ": " + d.Detail
		}
		if s := d.Subject; s != nil {
			src := sources[s.Filename]
			p.File, p.Line, p.Column = s.Filename, s.Start.Line, s.Start.Column
			p.From = utf16Offset(src, s.Start.Byte)
			p.To = max(p.From, utf16Offset(src, s.End.Byte))
		}
		out = append(out, p)
	}
	return out
}

// utf16Offset converts the byte offset off of src to UTF-16 code units.
func utf16Offset(src []byte, off int) int {
	off = min(max(off, 0), len(src))
	n := 0
	for b := src[:off]; len(b) > 0; {
		r, size := utf8.DecodeRune(b) // an invalid byte is one U+FFFD
		n += utf16.RuneLen(r)
		b = b[size:]
	}
	return n
}

// fileSources returns the sources of a parser's file map.
func fileSources(files map[string]*hcl.File) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for name, f := range files {
		if f != nil {
			out[name] = f.Bytes
		}
	}
	return out
}
