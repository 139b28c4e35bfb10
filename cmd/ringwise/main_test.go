package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/transcript.txt with the actual output")

// step is one line of a transcript that does something: a ringwise
// command (args, with stdin read from the file after "<" if any) and what
// it printed, or a setup directive (directive, see setUp).
type step struct {
	comment   []string // lines before the step
	directive []string // "! cp SRC DST" and the like, split into fields
	args      []string
	stdin     string   // file to read stdin from
	output    []string // "1> ..." and "2> ..." lines, then "exit N"
}

// line renders the step as the transcript writes it.
func (s step) line() string {
	if s.directive != nil {
		return "! " + strings.Join(s.directive, " ")
	}
	l := strings.TrimSpace("$ ringwise " + strings.Join(s.args, " "))
	if s.stdin != "" {
		l += " < " + s.stdin
	}
	return l
}

func parseTranscript(t *testing.T, path string) (header []string, steps []step) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pending []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "$ ringwise" || strings.HasPrefix(line, "$ ringwise "):
			s := step{comment: pending, args: strings.Fields(strings.TrimPrefix(line, "$ ringwise"))}
			if n := len(s.args); n >= 2 && s.args[n-2] == "<" {
				s.stdin, s.args = s.args[n-1], s.args[:n-2]
			}
			steps = append(steps, s)
			pending = nil
		case strings.HasPrefix(line, "! "):
			steps = append(steps, step{comment: pending, directive: strings.Fields(strings.TrimPrefix(line, "! "))})
			pending = nil
		case len(steps) > 0 && steps[len(steps)-1].directive == nil && (strings.HasPrefix(line, "1>") || strings.HasPrefix(line, "2>") || strings.HasPrefix(line, "exit ")):
			steps[len(steps)-1].output = append(steps[len(steps)-1].output, line)
		case len(steps) == 0 && (line == "" || strings.HasPrefix(line, "#")):
			header = append(header, line)
		case strings.HasPrefix(line, "#"):
			pending = append(pending, line)
		case line == "":
		default:
			t.Fatalf("%s: unexpected line %q", path, line)
		}
	}
	return header, steps
}

// setUp runs a transcript's setup directive, with $WORK standing for a
// scratch directory of the transcript:
//
//	! cp SRC DST          copy a file or a directory tree
//	! symlink TARGET LINK  make LINK a symbolic link to TARGET
//	! mkfifo PATH         make a named pipe
//	! mkdir PATH          make a directory (and its parents)
//	! write PATH N        write a policy file of N bytes (a comment)
func setUp(t *testing.T, d []string) {
	t.Helper()
	need := func(n int) {
		if len(d) != n+1 {
			t.Fatalf("! %s: want %d arguments", strings.Join(d, " "), n)
		}
	}
	var err error
	switch d[0] {
	case "cp":
		need(2)
		err = os.CopyFS(d[2], os.DirFS(d[1]))
		if fi, serr := os.Stat(d[1]); serr == nil && !fi.IsDir() {
			var b []byte
			if b, err = os.ReadFile(d[1]); err == nil {
				err = os.WriteFile(d[2], b, 0o644)
			}
		}
	case "symlink":
		need(2)
		err = os.Symlink(d[1], d[2])
	case "mkdir":
		need(1)
		err = os.MkdirAll(d[1], 0o755)
	case "mkfifo":
		need(1)
		err = mkfifo(d[1])
	case "write":
		need(2)
		var n int
		if n, err = strconv.Atoi(d[2]); err == nil {
			err = os.WriteFile(d[1], append([]byte("#"), bytes.Repeat([]byte("x"), n-1)...), 0o644)
		}
	default:
		t.Fatalf("unknown directive %q", d[0])
	}
	if err != nil {
		t.Fatalf("! %s: %v", strings.Join(d, " "), err)
	}
}

// transcribe runs args and renders what they print the way a transcript
// records it.
func transcribe(args []string, in io.Reader) []string {
	var stdout, stderr bytes.Buffer
	stdin = in
	defer func() { stdin = os.Stdin }()
	code := run(args, &stdout, &stderr)
	var out []string
	for _, s := range []struct {
		prefix string
		buf    *bytes.Buffer
	}{{"1>", &stdout}, {"2>", &stderr}} {
		if s.buf.Len() == 0 {
			continue
		}
		for _, l := range strings.Split(strings.TrimSuffix(s.buf.String(), "\n"), "\n") {
			if l == "" {
				out = append(out, s.prefix)
			} else {
				out = append(out, s.prefix+" "+l)
			}
		}
	}
	return append(out, fmt.Sprintf("exit %d", code))
}

func TestTranscript(t *testing.T) { runTranscript(t, "testdata/transcript.txt", nil) }

// runTranscript runs each step of the transcript at path, compares the
// output of each command (passed through clean, when not nil) with the
// recorded one, and with -update writes the actual output back. $WORK in a
// step stands for a scratch directory, and is written so in the output.
func runTranscript(t *testing.T, path string, clean func(string) string) {
	t.Helper()
	header, steps := parseTranscript(t, path)
	work := t.TempDir()
	expand := func(fields []string) []string {
		out := make([]string, len(fields))
		for i, f := range fields {
			out[i] = strings.ReplaceAll(f, "$WORK", work)
		}
		return out
	}
	var rewritten bytes.Buffer
	for _, l := range header {
		fmt.Fprintln(&rewritten, l)
	}
	for _, s := range steps {
		for _, l := range s.comment {
			fmt.Fprintln(&rewritten, l)
		}
		fmt.Fprintln(&rewritten, s.line())
		if s.directive != nil {
			setUp(t, expand(s.directive))
			continue
		}
		var in io.Reader = strings.NewReader("")
		if s.stdin != "" {
			b, err := os.ReadFile(expand([]string{s.stdin})[0])
			if err != nil {
				t.Fatal(err)
			}
			in = bytes.NewReader(b)
		}
		got := transcribe(expand(s.args), in)
		for i, l := range got {
			l = strings.ReplaceAll(l, work, "$WORK")
			if clean != nil {
				l = clean(l)
			}
			got[i] = l
		}
		if !*update {
			if diff := cmp.Diff(s.output, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", s.line(), diff)
			}
		}
		for _, l := range got {
			fmt.Fprintln(&rewritten, l)
		}
		fmt.Fprintln(&rewritten)
	}
	if *update {
		if err := os.WriteFile(path, rewritten.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckErrorFormat pins the shape of check's error output: a line
// FILE:LINE:COL: message, the source line, and a caret line under the range.
func TestCheckErrorFormat(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", "testdata/bad/steps.hcl"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines)%3 != 0 || len(lines) == 0 {
		t.Fatalf("stderr has %d lines, want groups of 3:\n%s", len(lines), stderr.String())
	}
	head := regexp.MustCompile(`^(testdata/bad/steps\.hcl):([0-9]+):([0-9]+): \S.*$`)
	src, err := os.ReadFile("testdata/bad/steps.hcl")
	if err != nil {
		t.Fatal(err)
	}
	srcLines := strings.Split(string(src), "\n")
	var got []string
	for i := 0; i < len(lines); i += 3 {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			t.Fatalf("line %q is not FILE:LINE:COL: message", lines[i])
		}
		var line, col int
		fmt.Sscan(m[2], &line)
		fmt.Sscan(m[3], &col)
		if want := "    " + srcLines[line-1]; lines[i+1] != want {
			t.Errorf("source line = %q, want %q", lines[i+1], want)
		}
		caret := strings.TrimPrefix(lines[i+2], "    ")
		if strings.TrimLeft(caret, " \t") == "" || strings.Trim(caret, " \t^") != "" || len(caret)-len(strings.TrimLeft(caret, " \t")) != col-1 {
			t.Errorf("caret line %q does not point at column %d", lines[i+2], col)
		}
		got = append(got, m[2]+":"+m[3])
	}
	if diff := cmp.Diff([]string{"5:21", "12:5", "18:5"}, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

func TestFmtWrite(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/unformatted/p.hcl")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.hcl")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"fmt", "-w", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("fmt -w: exit %d: %s", code, stderr.String())
	}
	got, _ := os.ReadFile(path)
	want := "rollout \"r\" {\n  ring \"all\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n}\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("formatted file (-want +got):\n%s", diff)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600 kept", fi.Mode().Perm())
	}
	stdout.Reset()
	if code := run([]string{"fmt", "-check", dir}, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("fmt -check after -w: exit %d, stdout %q", code, stdout.String())
	}
}

func TestEverySubcommandHasHelp(t *testing.T) {
	for _, c := range commands {
		var stdout, stderr bytes.Buffer
		if code := c.run([]string{"-h"}, &stdout, &stderr); code != 0 {
			t.Errorf("%s -h: exit %d", c.name, code)
		}
		if !strings.HasPrefix(stdout.String(), "Usage: ringwise "+c.name) {
			t.Errorf("%s -h printed %q", c.name, stdout.String())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // "stdout" or "stderr": where the usage goes
	}{
		{nil, 2, "stderr"},
		{[]string{"help"}, 0, "stdout"},
		{[]string{"-h"}, 0, "stdout"},
		{[]string{"frobnicate"}, 2, "stderr"},
		{[]string{"help", "frobnicate"}, 2, "stderr"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("ringwise %v: exit %d, want %d", tc.args, code, tc.code)
		}
		out := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}[tc.out]
		for _, c := range commands {
			if !strings.Contains(out, "\t"+c.name+" ") {
				t.Errorf("ringwise %v: usage on %s does not list %s:\n%s", tc.args, tc.out, c.name, out)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help", "plan"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "Usage: ringwise plan") {
		t.Errorf("help plan: exit %d, stdout %q", code, stdout.String())
	}
}

func TestFmtTranscript(t *testing.T) { runTranscript(t, "testdata/fmt.txt", nil) }

func TestCLITranscript(t *testing.T) { runTranscript(t, "testdata/cli.txt", nil) }
