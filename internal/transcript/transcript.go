// Package transcript runs transcript tests in the manner of
// cockroachdb/datadriven and etcd-io/raft's interaction tests: a file of
// commands, each followed by the output it is expected to print; a handler
// per command computes the actual output; go test -rewrite writes the
// actual outputs back into the file, leaving everything else (comments,
// blank lines, inputs) as it was.
//
// The default format:
//
//	# comments and blank lines, kept as they are
//	command arg key=value
//	input lines (optional)
//	----
//	output lines
//	<blank line>
//
// With Format.End set (say "===="), the output ends at that line instead
// of a blank line, so it may hold blank lines. With Format.Prompts set
// (say "$ " and "! "), a command is a line starting with a prompt, has no
// input and no "----", and its output is the lines that follow up to a
// blank line, a comment or the next command: the layout of a shell
// session.
//
// The package is for tests only.
package transcript

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Rewrite is the one flag of every transcript test: go test -rewrite
// writes the actual outputs into the transcripts instead of comparing.
var Rewrite = flag.Bool("rewrite", false, "rewrite transcripts (testdata/*.txt) with the actual output")

// Format says how a transcript file marks its parts (see the package doc).
// The zero Format is the default one.
type Format struct {
	// End, when not empty, is the line that ends each output.
	End string
	// Prompts, when not empty, are the prefixes that start a command line.
	Prompts []string
}

// A Case is one command of a transcript.
type Case struct {
	File string // the transcript's path
	Line int    // the command's line, from 1
	// Command is the command line without its prompt; Name its first word
	// and Args the others.
	Command string
	Name    string
	Args    []string
	// Prompt is the prompt the command line started with (Format.Prompts).
	Prompt string
	// Input is the lines between the command and "----".
	Input []string
	// Want is the recorded output.
	Want []string

	pre  []string // the comments and blank lines before the case
	term bool     // the output ended with a terminator line (End or blank)
}

// Arg returns the value of the argument key=value, and whether it is
// there.
func (c *Case) Arg(key string) (string, bool) {
	for _, a := range c.Args {
		if k, v, ok := strings.Cut(a, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func (c *Case) String() string { return fmt.Sprintf("%s:%d: %s", c.File, c.Line, c.Command) }

// A Handler runs one case and returns its output, one string a line. It
// may call t.Fatal for a broken transcript (an unknown argument), not for
// a wrong output, which the runner reports.
type Handler func(t *testing.T, c *Case) []string

// A File is a parsed transcript.
type File struct {
	Path   string
	Format Format
	Cases  []*Case
	tail   []string // comments and blank lines after the last case
}

// Parse reads the transcript at path.
func Parse(path string, f Format) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1] // the file's final newline
	}
	file := &File{Path: path, Format: f}
	var pre []string
	prompt := func(l string) (string, bool) {
		for _, p := range f.Prompts {
			if strings.HasPrefix(l, p) {
				return p, true
			}
		}
		return "", false
	}
	for i := 0; i < len(lines); {
		l := lines[i]
		if l == "" || strings.HasPrefix(l, "#") {
			pre = append(pre, l)
			i++
			continue
		}
		c := &Case{File: path, Line: i + 1, Command: l, pre: pre}
		pre = nil
		file.Cases = append(file.Cases, c)
		i++
		if len(f.Prompts) > 0 {
			p, ok := prompt(l)
			if !ok {
				return nil, fmt.Errorf("%s:%d: %q is not a command (want a line starting with %q)", path, c.Line, l, f.Prompts)
			}
			c.Prompt, c.Command = p, strings.TrimPrefix(l, p)
			for ; i < len(lines); i++ {
				if _, next := prompt(lines[i]); next || strings.HasPrefix(lines[i], "#") {
					break
				}
				if lines[i] == "" {
					c.term = true
					i++
					break
				}
				c.Want = append(c.Want, lines[i])
			}
		} else {
			for ; i < len(lines) && lines[i] != "----"; i++ {
				c.Input = append(c.Input, lines[i])
			}
			if i == len(lines) {
				return nil, fmt.Errorf("%s:%d: command %q has no ---- line", path, c.Line, l)
			}
			end := f.End
			for i++; i < len(lines); i++ {
				if lines[i] == end {
					c.term = true
					i++
					break
				}
				c.Want = append(c.Want, lines[i])
			}
			if end != "" && !c.term {
				return nil, fmt.Errorf("%s:%d: command %q has no %s line after its output", path, c.Line, l, end)
			}
		}
		fields := strings.Fields(c.Command)
		if len(fields) > 0 {
			c.Name, c.Args = fields[0], fields[1:]
		}
	}
	file.tail = pre
	return file, nil
}

// Render returns the transcript with each case's output replaced by
// outputs[i] (or its recorded one where outputs[i] is nil): the file as
// -rewrite writes it, byte for byte the original when nothing changed.
func (f *File) Render(outputs [][]string) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	for i, c := range f.Cases {
		for _, l := range c.pre {
			line(l)
		}
		out := c.Want
		if i < len(outputs) && outputs[i] != nil {
			out = outputs[i]
		}
		if len(f.Format.Prompts) > 0 {
			line(c.Prompt + c.Command)
			for _, l := range out {
				line(l)
			}
			if c.term {
				line("")
			}
			continue
		}
		line(c.Command)
		for _, l := range c.Input {
			line(l)
		}
		line("----")
		for _, l := range out {
			line(l)
		}
		if c.term {
			line(f.Format.End)
		}
	}
	for _, l := range f.tail {
		line(l)
	}
	return b.String()
}

// Run runs the transcript at path: each case through the handler named
// by its command (an unknown command fails the test), comparing its output
// with the recorded one, or with -rewrite writing the actual outputs back.
func Run(t *testing.T, path string, f Format, handlers map[string]Handler) {
	t.Helper()
	file, err := Parse(path, f)
	if err != nil {
		t.Fatal(err)
	}
	outputs := make([][]string, len(file.Cases))
	for i, c := range file.Cases {
		h, ok := handlers[c.Name]
		if !ok {
			t.Fatalf("%s: unknown command %q", c, c.Name)
		}
		got := h(t, c)
		if got == nil {
			got = []string{}
		}
		outputs[i] = got
		want := c.Want
		if want == nil {
			want = []string{}
		}
		if !*Rewrite {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: output differs (-want +got; go test -rewrite updates it):\n%s", c, diff)
			}
		}
	}
	if *Rewrite {
		if err := os.WriteFile(path, []byte(file.Render(outputs)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// RunGlob runs every transcript matching pattern as a subtest named after
// the file, with the handlers newHandlers returns for it (so that each
// file starts from a fresh state).
func RunGlob(t *testing.T, pattern string, f Format, newHandlers func(t *testing.T) map[string]Handler) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts match %s: %v", pattern, err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), func(t *testing.T) {
			Run(t, path, f, newHandlers(t))
		})
	}
}
