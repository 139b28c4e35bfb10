package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// applyDiff applies a unified diff written by writeDiff to old.
func applyDiff(t *rapid.T, old, diff string) string {
	oldLines := splitLines(old)
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		t.Fatalf("no header: %q", diff)
	}
	var out []string
	next := 0 // index into oldLines
	var last *string
	// The new side of the current hunk: where its header says it starts
	// and how many lines it says it has, and how many it had.
	newStart, newLen, newSeen := 0, 0, 0
	checkHunk := func() {
		if newSeen != newLen {
			t.Fatalf("hunk says %d new lines, has %d", newLen, newSeen)
		}
	}
	for i := 2; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "@@ -"):
			f := strings.Fields(l)
			a, n, _ := strings.Cut(strings.TrimPrefix(f[1], "-"), ",")
			start, err := strconv.Atoi(a)
			if err != nil {
				t.Fatalf("bad hunk header %q", l)
			}
			if n != "0" {
				start-- // 1-based; a range of length 0 names the line before it
			}
			if start < next {
				t.Fatalf("hunks out of order at %q", l)
			}
			out = append(out, oldLines[next:start]...)
			next = start
			if i > 2 {
				checkHunk()
			}
			b, m, _ := strings.Cut(strings.TrimPrefix(f[2], "+"), ",")
			newStart, _ = strconv.Atoi(b)
			newLen, newSeen = 1, 0
			if m != "" {
				newLen, _ = strconv.Atoi(m)
			}
			if want := len(out) + 1; newLen > 0 && newStart != want || newLen == 0 && newStart != len(out) {
				t.Fatalf("hunk %q: the new side starts at line %d", l, len(out)+1)
			}
		case l == "\\ No newline at end of file\n":
			if last == nil {
				t.Fatal("no-newline marker with no line before it")
			}
			*last = strings.TrimSuffix(*last, "\n")
		case strings.HasPrefix(l, " "):
			if next >= len(oldLines) || strings.TrimSuffix(oldLines[next], "\n") != strings.TrimSuffix(l[1:], "\n") {
				t.Fatalf("context %q does not match old line %d", l, next)
			}
			out = append(out, oldLines[next])
			last = &out[len(out)-1]
			next++
			newSeen++
		case strings.HasPrefix(l, "-"):
			next++
			last = new(string)
		case strings.HasPrefix(l, "+"):
			out = append(out, l[1:])
			last = &out[len(out)-1]
			newSeen++
		default:
			t.Fatalf("unexpected diff line %q", l)
		}
	}
	checkHunk()
	out = append(out, oldLines[next:]...)
	return strings.Join(out, "")
}

// Applying the diff of old and new to old gives new, and equal inputs give
// no diff.
func TestDiffApplies(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		word := rapid.SampledFrom([]string{"a", "b", "c", "d", ""})
		text := func(label string) string {
			ls := rapid.SliceOfN(word, 0, 30).Draw(t, label)
			s := strings.Join(ls, "\n")
			if rapid.Bool().Draw(t, label+" newline") && s != "" {
				s += "\n"
			}
			return s
		}
		old, new := text("old"), text("new")
		var b bytes.Buffer
		writeDiff(&b, "p.hcl", []byte(old), []byte(new))
		if old == new {
			if b.Len() != 0 {
				t.Fatalf("equal texts gave a diff:\n%s", b.String())
			}
			return
		}
		if got := applyDiff(t, old, b.String()); got != new {
			t.Fatalf("applying the diff gives %q, want %q\ndiff:\n%s", got, new, b.String())
		}
	})
}

func Example_writeDiff() {
	var b bytes.Buffer
	writeDiff(&b, "p.hcl", []byte("a\nb\nc\n"), []byte("a\nB\nc\n"))
	fmt.Print(b.String())
	// Output:
	// --- p.hcl.orig
	// +++ p.hcl
	// @@ -1,3 +1,3 @@
	//  a
	// -b
	// +B
	//  c
}
