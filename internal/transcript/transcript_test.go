package transcript

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The module's transcripts, with their formats, must come back byte for
// byte from Parse and Render, or -rewrite would reformat them.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		glob string
		f    Format
	}{
		{"../../rollout/testdata/*.txt", Format{}},
		{"../../simulate/testdata/*.txt", Format{End: "===="}},
		{"../../cmd/ringwise/testdata/*.txt", Format{Prompts: []string{"$ ", "! "}}},
	} {
		files, _ := filepath.Glob(tc.glob)
		if len(files) == 0 {
			t.Fatalf("no transcripts match %s", tc.glob)
		}
		for _, path := range files {
			f, err := Parse(path, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(b), f.Render(nil)); diff != "" {
				t.Errorf("%s: Render(Parse) differs (-file +rendered):\n%s", path, diff)
			}
		}
	}
}

func write(t *testing.T, src string) string {
	path := filepath.Join(t.TempDir(), "t.txt")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParse(t *testing.T) {
	path := write(t, "# a comment\n\nadd x=1 y=2\n3\n4\n----\n7\n\n# end\n")
	f, err := Parse(path, Format{})
	if err != nil {
		t.Fatal(err)
	}
	c := f.Cases[0]
	got := []any{len(f.Cases), c.Line, c.Name, c.Args, c.Input, c.Want, c.pre, f.tail}
	want := []any{1, 3, "add", []string{"x=1", "y=2"}, []string{"3", "4"}, []string{"7"}, []string{"# a comment", ""}, []string{"# end"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if v, ok := c.Arg("y"); v != "2" || !ok {
		t.Errorf("Arg(y) = %q, %v", v, ok)
	}
	if _, ok := c.Arg("z"); ok {
		t.Error("Arg(z) found")
	}
	for _, bad := range []struct {
		src string
		f   Format
	}{
		{"cmd\nno separator\n", Format{}},
		{"cmd\n----\nout\n", Format{End: "===="}},
		{"not a prompt\n", Format{Prompts: []string{"$ "}}},
	} {
		if _, err := Parse(write(t, bad.src), bad.f); err == nil {
			t.Errorf("Parse(%q) accepted a broken transcript", bad.src)
		}
	}
}

// Run compares, and -rewrite writes the actual outputs, leaving the rest.
func TestRunRewrite(t *testing.T) {
	src := "# sums\nadd 1 2\n----\n4\n\nadd 2 2\n----\n4\n"
	path := write(t, src)
	handlers := map[string]Handler{"add": func(t *testing.T, c *Case) []string {
		n := 0
		for _, a := range c.Args {
			n += int(a[0] - '0')
		}
		return []string{string(rune('0' + n))}
	}}
	old := *Rewrite
	defer func() { *Rewrite = old }()
	*Rewrite = true
	Run(t, path, Format{}, handlers)
	b, _ := os.ReadFile(path)
	if want := strings.Replace(src, "----\n4\n\n", "----\n3\n\n", 1); string(b) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", b, want)
	}
}
