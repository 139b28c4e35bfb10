package policy

import (
	"bytes"
	"fmt"
	"io"
	"strings"

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

// snippetWidth is the most runes of a source line a snippet shows: a
// generated or hostile file can hold a line of megabytes, and echoing it
// (with as many carets) helps nobody. A longer line is shown as a window
// around the range's start, with "…" where it was cut.
const snippetWidth = 160

// snippetBefore is how much of a long line the window keeps before the
// range's start.
const snippetBefore = 40

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
	end := rng.End.Byte
	if end > lineEnd || end < start {
		end = lineEnd
	}
	// In runes: the prefix before the range, the range, the rest.
	prefix := []rune(strings.ToValidUTF8(string(src[lineStart:start]), "\uFFFD"))
	marked := []rune(strings.ToValidUTF8(string(src[start:end]), "\uFFFD"))
	rest := []rune(strings.TrimRight(strings.ToValidUTF8(string(src[end:lineEnd]), "\uFFFD"), "\r"))
	cutLeft, cutRight := false, false
	if len(prefix)+len(marked)+len(rest) > snippetWidth {
		if len(prefix) > snippetBefore {
			prefix, cutLeft = prefix[len(prefix)-snippetBefore:], true
		}
		room := snippetWidth - len(prefix)
		if len(marked) > room {
			marked, rest, cutRight = marked[:room], nil, true
		} else if len(marked)+len(rest) > room {
			rest, cutRight = rest[:room-len(marked)], true
		}
	}
	var line, pad strings.Builder
	if cutLeft {
		line.WriteString("…")
		pad.WriteByte(' ')
	}
	line.WriteString(string(prefix))
	line.WriteString(string(marked))
	line.WriteString(string(rest))
	if cutRight {
		line.WriteString("…")
	}
	fmt.Fprintf(b, "    %s\n", line.String())
	// The caret line copies the tabs of the prefix so that it lines up.
	for _, r := range prefix {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	n := max(len(marked), 1)
	fmt.Fprintf(b, "    %s%s\n", pad.String(), strings.Repeat("^", n))
}
