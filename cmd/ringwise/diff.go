package main

import (
	"fmt"
	"io"
	"strings"
)

// maxLCSCells bounds the work of the line diff: beyond it (two files of
// several thousand differing lines each) the differing middle is shown as
// one removal and one insertion, which is still a correct diff.
const maxLCSCells = 16 << 20

// writeDiff writes a unified diff (3 lines of context) turning old into new,
// as "diff -u NAME.orig NAME" would; nothing when they are equal.
func writeDiff(w io.Writer, name string, old, new []byte) {
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := diffLines(a, b)
	if len(ops) == 0 {
		return
	}
	fmt.Fprintf(w, "--- %s.orig\n+++ %s\n", name, name)
	const ctx = 3
	// Group edits into hunks whose context overlaps.
	for i := 0; i < len(ops); {
		start := i
		end := i
		for end+1 < len(ops) && ops[end+1].ai-ops[end].aEnd() <= 2*ctx {
			end++
		}
		i = end + 1
		first, last := ops[start], ops[end]
		a0 := max(first.ai-ctx, 0)
		a1 := min(last.aEnd()+ctx, len(a))
		b0 := first.bi - (first.ai - a0)
		b1 := last.bEnd() + (a1 - last.aEnd())
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(a0, a1-a0), hunkRange(b0, b1-b0))
		ai := a0
		for _, op := range ops[start : end+1] {
			for ; ai < op.ai; ai++ {
				fmt.Fprintf(w, " %s", line(a[ai]))
			}
			for _, l := range a[op.ai:op.aEnd()] {
				fmt.Fprintf(w, "-%s", line(l))
			}
			for _, l := range b[op.bi:op.bEnd()] {
				fmt.Fprintf(w, "+%s", line(l))
			}
			ai = op.aEnd()
		}
		for ; ai < a1; ai++ {
			fmt.Fprintf(w, " %s", line(a[ai]))
		}
	}
}

// line renders one line of a diff, marking a missing final newline.
func line(l string) string {
	if strings.HasSuffix(l, "\n") {
		return l
	}
	return l + "\n\\ No newline at end of file\n"
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits s after each newline; the last line may lack one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// edit replaces a[ai:ai+na] by b[bi:bi+nb].
type edit struct{ ai, na, bi, nb int }

func (e edit) aEnd() int { return e.ai + e.na }
func (e edit) bEnd() int { return e.bi + e.nb }

// diffLines returns the edits that turn a into b, in order, from a longest
// common subsequence of lines (or, when that would cost more than
// maxLCSCells, one edit for the whole differing middle).
func diffLines(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma) == 0 && len(mb) == 0 {
		return nil
	}
	if len(ma) == 0 || len(mb) == 0 || (len(ma)+1)*(len(mb)+1) > maxLCSCells {
		return []edit{{pre, len(ma), pre, len(mb)}}
	}
	// lcs[i][j]: length of the LCS of ma[i:] and mb[j:].
	w := len(mb) + 1
	lcs := make([]int32, (len(ma)+1)*w)
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var out []edit
	var cur *edit
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			cur = nil
			i++
			j++
			continue
		case j == len(mb) || (i < len(ma) && lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
			if cur == nil {
				out = append(out, edit{ai: pre + i, bi: pre + j})
				cur = &out[len(out)-1]
			}
			cur.na++
			i++
		default:
			if cur == nil {
				out = append(out, edit{ai: pre + i, bi: pre + j})
				cur = &out[len(out)-1]
			}
			cur.nb++
			j++
		}
	}
	return out
}
