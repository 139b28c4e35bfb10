package ringwise_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/transcript"
	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
	"github.com/ringwise/ringwise/review"
	"github.com/ringwise/ringwise/simulate"
)

// A docBlock is an example of the policy or scenario language quoted in
// the documentation: a ```hcl block of a Markdown file, or an indented
// block of a Go doc comment that starts like HCL.
type docBlock struct {
	file string
	line int // of the block's first line
	src  string
}

func (b docBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// hclStart matches the first line of an HCL example in a Go comment: a
// block header ("rollout \"x\" {", "maintenance {") or HCL's JSON form.
var hclStart = regexp.MustCompile(`^((rollout|tenant|scenario|ring|trigger|blackout|gate|urgency|maintenance|fleet|cohort|update|fault|telemetry|people)( "[^"]*")* \{|\{"(rollout|tenant)")`)

// markdownBlocks returns the ```hcl blocks of a Markdown file.
func markdownBlocks(t *testing.T, path string) []docBlock {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []docBlock
	var cur *docBlock
	for i, l := range strings.Split(string(b), "\n") {
		switch {
		case cur == nil && strings.TrimSpace(l) == "```hcl":
			cur = &docBlock{file: path, line: i + 2}
		case cur != nil && strings.TrimSpace(l) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.src += l + "\n"
		}
	}
	if cur != nil {
		t.Errorf("%s:%d: unterminated ```hcl block", path, cur.line-1)
	}
	return out
}

// goDocBlocks returns the indented blocks of the comments of a Go file that
// start like HCL.
func goDocBlocks(t *testing.T, path string) []docBlock {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []docBlock
	var cur *docBlock
	flush := func() {
		if cur != nil && hclStart.MatchString(cur.src) {
			out = append(out, *cur)
		}
		cur = nil
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if code, ok := strings.CutPrefix(l, "//\t"); ok {
			if cur == nil {
				cur = &docBlock{file: path, line: n}
			}
			cur.src += code + "\n"
			continue
		}
		if strings.TrimSpace(l) == "//" && cur != nil {
			if strings.Count(cur.src, "{") > strings.Count(cur.src, "}") {
				cur.src += "\n" // a blank line inside a block of HCL
				continue
			}
			flush() // a blank line between two code blocks, or after one
			continue
		}
		flush()
	}
	flush()
	return out
}

// docBlocks collects the examples of every Markdown file and every Go
// package doc and doc comment in the module, outside testdata.
func docBlocks(t *testing.T) []docBlock {
	var out []docBlock
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(n, ".md"):
			out = append(out, markdownBlocks(t, path)...)
		case strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go"):
			out = append(out, goDocBlocks(t, path)...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// loadable makes a block loadable with its lines numbered as in the file
// it is quoted in: blank lines before it, and a fragment of a policy (a
// block that lives inside a rollout or a tenant) put into one whose
// header takes some of those lines.
func (b docBlock) loadable() string {
	var head, tail string
	switch strings.Fields(b.src)[0] {
	case "ring":
		head, tail = "rollout \"doc\" {\n", "}\n"
	case "trigger", "blackout", "gate", "urgency":
		head, tail = "rollout \"doc\" {\n  ring \"all\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n", "}\n"
	case "maintenance":
		head, tail = "tenant \"doc\" {\n", "}\n"
	}
	pad := max(b.line-1-strings.Count(head, "\n"), 0)
	return strings.Repeat("\n", pad) + head + b.src + tail
}

// TestDocExamplesLoad runs every HCL example of the documentation (README
// files, examples' READMEs, package docs and doc comments) through the
// loader it illustrates: telemetry configurations through
// observe.ParseConfig, scenarios through simulate.ParseScenario,
// policies (a fragment inside a minimal rollout or tenant) through
// policy.Load with the Rego gate loader and the example gates at hand.
// Examples that do not load are documentation that lies.
func TestDocExamplesLoad(t *testing.T) {
	blocks := docBlocks(t)
	perFile := map[string]int{}
	for _, b := range blocks {
		perFile[filepath.ToSlash(b.file)]++
	}
	// The extraction must find what is known to be there, or this test
	// would pass on nothing.
	for _, f := range []string{"README.md", "policy/doc.go", "simulate/load.go", "observe/doc.go"} {
		if perFile[f] == 0 {
			t.Errorf("no HCL example found in %s", f)
		}
	}
	gates := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("examples/policies"), "gates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("examples/policies", path))
		gates[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if strings.HasPrefix(b.src, "telemetry \"") {
			// An observe configuration (the Prometheus queries).
			if _, diags := observe.ParseConfig([]byte(b.loadable()), b.file); diags.HasErrors() {
				t.Errorf("%s: the telemetry configuration example does not load:\n%s", b, diags.Error())
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(b.src), "scenario ") && strings.Contains(b.src, "budget {") {
			// A review suite: scenarios with budgets.
			_, file, diags := review.ParseSuite([]byte(b.loadable()), b.file)
			if diags.HasErrors() {
				var out bytes.Buffer
				policy.WriteDiagnostics(&out, map[string]*hcl.File{b.file: file}, diags)
				t.Errorf("%s: the review suite example does not load:\n%s", b, out.String())
			}
			continue
		}
		if strings.HasPrefix(b.src, "scenario ") {
			_, file, diags := simulate.ParseScenario([]byte(b.loadable()), b.file)
			if diags.HasErrors() {
				var out bytes.Buffer
				policy.WriteDiagnostics(&out, map[string]*hcl.File{b.file: file}, diags)
				t.Errorf("%s: the scenario example does not load:\n%s", b, out.String())
			}
			continue
		}
		name := b.file // line numbers in diagnostics are the file's
		if strings.HasPrefix(b.src, "{") {
			name += ".hcl.json"
		} else {
			name += ".hcl"
		}
		name = strings.ReplaceAll(filepath.ToSlash(name), "/", "_") // at the top of fsys
		fsys := fstest.MapFS{name: &fstest.MapFile{Data: []byte(b.loadable())}}
		for k, v := range gates {
			fsys[k] = v
		}
		loader := rego.NewLoader()
		p, diags := policy.Load(fsys, policy.WithGateLoader(loader))
		if diags.HasErrors() {
			var out bytes.Buffer
			policy.WriteDiagnostics(&out, p.Files, diags)
			t.Errorf("%s: the policy example does not load (as %s):\n%s", b, name, out.String())
		}
	}
	t.Logf("%d examples checked: %v", len(blocks), perFile)
}

// rewrite rewrites the outputs quoted in README.md with the actual ones:
// -rewrite, the one flag of internal/transcript.
var rewrite = transcript.Rewrite

// A fence is a fenced code block of a Markdown file.
type fence struct {
	lang       string
	start, end int // line indexes of the content: lines[start:end]
}

// fences returns the fenced code blocks of lines, in order.
func fences(lines []string) []fence {
	var out []fence
	open := -1
	lang, ticks := "", ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case open < 0 && strings.HasPrefix(t, "```"):
			// A fence of n backticks closes with n: a block quoting
			// Markdown with ``` blocks in it opens with ````.
			ticks = t[:len(t)-len(strings.TrimLeft(t, "`"))]
			open, lang = i+1, strings.TrimPrefix(t, ticks)
		case open >= 0 && t == ticks:
			out = append(out, fence{lang, open, i})
			open = -1
		}
	}
	return out
}

// TestReadmeProgram builds and runs the complete program that README.md
// shows under "Using it from Go", from the repository root, compares what
// it prints with the output quoted after it, and checks the promise made
// there: a program without gates links neither OPA nor a database.
func TestReadmeProgram(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	blocks := fences(lines)
	k := slices.IndexFunc(blocks, func(f fence) bool {
		return f.lang == "go" && slices.Contains(lines[f.start:f.end], "package main")
	})
	if k < 0 || k+1 == len(blocks) || blocks[k+1].lang != "" {
		t.Fatal("README.md has no complete Go program (a ```go block with package main) followed by a ``` block of its output")
	}
	prog, want := blocks[k], blocks[k+1]
	dir := t.TempDir()
	main := filepath.Join(dir, "main.go")
	if err := os.WriteFile(main, []byte(strings.Join(lines[prog.start:prog.end], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd := func(args ...string) string {
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}
	for _, dep := range strings.Fields(goCmd("list", "-deps", main)) {
		if strings.HasPrefix(dep, "github.com/open-policy-agent/") || dep == "database/sql" {
			t.Errorf("README.md:%d: the program links %s", prog.start, dep)
		}
	}
	got := strings.TrimSuffix(goCmd("run", main), "\n")
	if *rewrite {
		lines = slices.Concat(lines[:want.start], strings.Split(got, "\n"), lines[want.end:])
		if err := os.WriteFile("README.md", []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(strings.Join(lines[want.start:want.end], "\n"), got); diff != "" {
		t.Errorf("README.md:%d: the program's output differs from the one quoted (-want +got; go test -run TestReadmeProgram -rewrite updates it):\n%s", want.start, diff)
	}
}
