package policy

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics renders diags in the compiler style that editors and CI
// logs understand, one per problem:
//
//	FILE:LINE:COL: Summary: Detail
//	    the offending source line
//	    ^^^^
//
// LINE and COL are 1-based. A warning says "warning: " after the position.
// A diagnostic without a source range is written as "Summary: Detail".
// files supplies the source lines (Policy.Files); a file missing from it
// gets the first line only. For HCL's own multi-line format, use
// hcl.NewDiagnosticTextWriter with the same files.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) error {
	var b bytes.Buffer
	for _, d := range diags {
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Severity == hcl.DiagWarning {
			msg = "warning: " + msg
		}
		if d.Subject == nil {
			fmt.Fprintf(&b, "%s\n", msg)
			continue
		}
		s := d.Subject
		fmt.Fprintf(&b, "%s:%d:%d: %s\n", s.Filename, s.Start.Line, s.Start.Column, msg)
		if f := files[s.Filename]; f != nil {
			writeSnippet(&b, f.Bytes, *s)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeSnippet writes the source line of rng and a caret line under the
// range (to the end of the line when the range spans lines).
func writeSnippet(b *bytes.Buffer, src []byte, rng hcl.Range) {
	start := rng.Start.Byte
	if start < 0 || start > len(src) {
		return
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		lineEnd = start + i
	}
	line := strings.TrimRight(string(src[lineStart:lineEnd]), "\r")
	if !utf8.ValidString(line) {
		line = strings.ToValidUTF8(line, "\uFFFD")
	}
	fmt.Fprintf(b, "    %s\n", line)
	// The caret line copies the tabs of the prefix so that it lines up.
	var pad strings.Builder
	for _, r := range string(src[lineStart:start]) {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	end := rng.End.Byte
	if end > lineEnd || end < start {
		end = lineEnd
	}
	n := utf8.RuneCount(src[start:end])
	if n < 1 {
		n = 1
	}
	fmt.Fprintf(b, "    %s%s\n", pad.String(), strings.Repeat("^", n))
}
