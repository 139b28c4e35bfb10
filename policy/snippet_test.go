package policy

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// TestSnippetWindow: a long source line is shown as a window around the
// range, whose carets still stand under the range's first character.
func TestSnippetWindow(t *testing.T) {
	long := strings.Repeat("a", 5000) + "TARGET" + strings.Repeat("b", 5000)
	start := strings.Index(long, "TARGET")
	for _, tc := range []struct {
		name       string
		src        string
		start, end int
		want       string // the character the first caret stands under
	}{
		{"short", "x = TARGET\n", 4, 10, "T"},
		{"middle of a long line", long, start, start + 6, "T"},
		{"start of a long line", long, 0, 3, "a"},
		{"range to the end of a long line", long, start, len(long), "T"},
		{"multibyte", strings.Repeat("é", 3000) + "TARGET", 6000, 6006, "T"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			writeSnippet(&b, []byte(tc.src), hcl.Range{
				Start: hcl.Pos{Byte: tc.start},
				End:   hcl.Pos{Byte: tc.end},
			})
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("got %d lines:\n%s", len(lines), b.String())
			}
			if n := utf8.RuneCountInString(lines[0]); n > snippetWidth+8 {
				t.Errorf("source line of %d runes, at most %d", n, snippetWidth+8)
			}
			caret := strings.IndexByte(lines[1], '^')
			src := []rune(lines[0])
			if caret < 0 || caret >= len(src) || string(src[caret]) != tc.want {
				t.Errorf("first caret at %d does not stand under %q:\n%s", caret, tc.want, b.String())
			}
		})
	}
}
