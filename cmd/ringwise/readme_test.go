package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// synopsis lists every command as "ringwise NAME FLAGS ARGS" (the first
// line of its -h) and its summary, sorted by name: the list README.md's
// "The CLI" and this command's package doc show.
func synopsis(indent string) string {
	cs := slices.Clone(commands)
	slices.SortFunc(cs, func(a, b command) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for _, c := range cs {
		var help bytes.Buffer
		c.run([]string{"-h"}, &help, &help)
		first, _, _ := strings.Cut(help.String(), "\n")
		fmt.Fprintf(&b, "%s%s\n%s    %s\n", indent, strings.TrimSpace(strings.TrimPrefix(first, "Usage: ")), indent, c.summary)
	}
	return b.String()
}

// readmeFence is a fenced code block of README.md: lines[start:end].
type readmeFence struct {
	lang       string
	start, end int
}

func readmeFences(lines []string) []readmeFence {
	var out []readmeFence
	open, lang, ticks := -1, "", ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case open < 0 && strings.HasPrefix(t, "```"):
			// A fence of n backticks closes with n: a block quoting
			// Markdown with ``` blocks in it opens with ````.
			ticks = t[:len(t)-len(strings.TrimLeft(t, "`"))]
			open, lang = i+1, strings.TrimPrefix(t, ticks)
		case open >= 0 && t == ticks:
			out = append(out, readmeFence{lang, open, i})
			open = -1
		}
	}
	return out
}

// TestReadmeCLI keeps README.md's CLI text true: the command list under
// "## The CLI" is the commands' own synopses, and each ```sh block holding
// one ringwise command that is followed by a block of output is run from
// the repository root and must print exactly that output. With -rewrite the
// README is rewritten with the actual text.
func TestReadmeCLI(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	type replacement struct {
		f    readmeFence
		with string
	}
	var repl []replacement
	check := func(f readmeFence, what, got string) {
		want := strings.Join(lines[f.start:f.end], "\n")
		got = strings.TrimSuffix(got, "\n")
		if want != got {
			repl = append(repl, replacement{f, got})
			if !*update {
				t.Errorf("README.md:%d: %s (-want +got; go test -run TestReadmeCLI -rewrite rewrites it):\n%s", f.start+1, what, cmp.Diff(want, got))
			}
		}
	}
	fs := readmeFences(lines)
	cli := slices.Index(lines, "## The CLI")
	k := slices.IndexFunc(fs, func(f readmeFence) bool { return f.start > cli })
	if cli < 0 || k < 0 {
		t.Fatal(`README.md has no "## The CLI" section with a code block`)
	}
	check(fs[k], "the command list is not the commands' synopses", synopsis(""))

	t.Chdir(filepath.Join("..", ".."))
	ran := 0
	for i, f := range fs[:len(fs)-1] {
		if f.lang != "sh" {
			continue
		}
		cmdline := strings.ReplaceAll(strings.Join(lines[f.start:f.end], "\n"), "\\\n", " ")
		args := strings.Fields(cmdline)
		switch {
		case strings.Contains(cmdline, "\n") || len(args) < 2:
			continue // not one command
		case args[0] == "ringwise":
			args = args[1:]
		case len(args) > 3 && args[0] == "go" && args[1] == "run" && args[2] == "./cmd/ringwise":
			args = args[3:]
		default:
			continue
		}
		out := fs[i+1]
		if out.lang != "" && out.lang != "markdown" {
			continue
		}
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Errorf("README.md:%d: ringwise %s: exit %d\n%s", f.start+1, strings.Join(args, " "), code, stderr.String())
			continue
		}
		check(out, "ringwise "+strings.Join(args, " ")+" prints something else", stdout.String())
		ran++
	}
	if ran == 0 {
		t.Error("README.md quotes no command with its output; the extraction is broken")
	}
	if *update && len(repl) > 0 {
		for i := len(repl) - 1; i >= 0; i-- {
			r := repl[i]
			lines = slices.Concat(lines[:r.f.start], strings.Split(r.with, "\n"), lines[r.f.end:])
		}
		if err := os.WriteFile("README.md", []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPackageDoc keeps "go doc ./cmd/ringwise" listing every command with
// its synopsis (doc.go); -rewrite rewrites the list.
func TestPackageDoc(t *testing.T) {
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "// Commands:\n//\n", "//\n// Run "
	s := string(b)
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("doc.go has no %q ... %q section", begin, end)
	}
	var want strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(synopsis("\t"), "\n"), "\n") {
		want.WriteString("//" + l + "\n")
	}
	got := s[i+len(begin) : j]
	if got == want.String() {
		return
	}
	if *update {
		if err := os.WriteFile("doc.go", []byte(s[:i+len(begin)]+want.String()+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("doc.go does not list the commands as their -h does (-want +got; go test -run TestPackageDoc -rewrite rewrites it):\n%s", cmp.Diff(want.String(), got))
}
