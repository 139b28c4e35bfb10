package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/internal/transcript"
)

// update is the flag that rewrites goldens and transcripts: -rewrite, the
// one flag of internal/transcript.
var update = transcript.Rewrite

// Transcripts (testdata/*.txt) are shell sessions (see internal/transcript
// with Prompts "$ " and "! "): "$ ringwise ARGS [< FILE]" runs run(ARGS)
// with stdin from FILE; its output is "1> " lines (stdout), "2> " lines
// (stderr) and "exit N". "! ..." lines set up files (see setUpHandlers).
// $WORK stands for a scratch directory of the transcript, in commands and
// in the output.
var sessionFormat = transcript.Format{Prompts: []string{"$ ", "! "}}

// runTranscript runs the transcript at path; clean, when not nil, is
// applied to every output line (to blank out durations, say).
func runTranscript(t *testing.T, path string, clean func(string) string) {
	t.Helper()
	work := t.TempDir()
	expand := func(fields []string) []string {
		out := make([]string, len(fields))
		for i, f := range fields {
			out[i] = strings.ReplaceAll(f, "$WORK", work)
		}
		return out
	}
	handlers := setUpHandlers(expand)
	handlers["ringwise"] = func(t *testing.T, c *transcript.Case) []string {
		args := expand(c.Args)
		var in io.Reader = strings.NewReader("")
		if n := len(args); n >= 2 && args[n-2] == "<" {
			b, err := os.ReadFile(args[n-1])
			if err != nil {
				t.Fatal(err)
			}
			in, args = bytes.NewReader(b), args[:n-2]
		}
		got := transcribe(args, in)
		for i, l := range got {
			l = strings.ReplaceAll(l, work, "$WORK")
			if clean != nil {
				l = clean(l)
			}
			got[i] = l
		}
		return got
	}
	transcript.Run(t, path, sessionFormat, handlers)
}

// setUpHandlers are the transcripts' setup commands, with expand turning
// $WORK into the scratch directory:
//
//	! cp SRC DST          copy a file or a directory tree
//	! mkdir PATH          make a directory (and its parents)
//	! symlink TARGET LINK  make LINK a symbolic link to TARGET
//	! mkfifo PATH         make a named pipe
//	! write PATH N        write a policy file of N bytes (a comment)
func setUpHandlers(expand func([]string) []string) map[string]transcript.Handler {
	do := func(n int, f func(args []string) error) transcript.Handler {
		return func(t *testing.T, c *transcript.Case) []string {
			if len(c.Args) != n {
				t.Fatalf("%s: want %d arguments", c, n)
			}
			if err := f(expand(c.Args)); err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			return nil
		}
	}
	return map[string]transcript.Handler{
		"cp": do(2, func(a []string) error {
			fi, err := os.Stat(a[0])
			if err != nil {
				return err
			}
			if fi.IsDir() {
				return os.CopyFS(a[1], os.DirFS(a[0]))
			}
			b, err := os.ReadFile(a[0])
			if err != nil {
				return err
			}
			return os.WriteFile(a[1], b, 0o644)
		}),
		"mkdir":   do(1, func(a []string) error { return os.MkdirAll(a[0], 0o755) }),
		"symlink": do(2, func(a []string) error { return os.Symlink(a[0], a[1]) }),
		"mkfifo":  do(1, func(a []string) error { return mkfifo(a[0]) }),
		"write": do(2, func(a []string) error {
			n, err := strconv.Atoi(a[1])
			if err != nil {
				return err
			}
			return os.WriteFile(a[0], append([]byte("#"), bytes.Repeat([]byte("x"), n-1)...), 0o644)
		}),
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

// goPlatform matches what varies between machines in ringwise version.
var goPlatform = regexp.MustCompile(`go[0-9]+\.[0-9]+(\.[0-9]+)?\S* for [a-z0-9]+/[a-z0-9]+`)

func TestCLITranscript(t *testing.T) {
	runTranscript(t, "testdata/cli.txt", func(l string) string { return goPlatform.ReplaceAllString(l, "GOVERSION for PLATFORM") })
}
