package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// action is the part of action.yml the test runs.
type action struct {
	Inputs map[string]struct {
		Default  string `yaml:"default"`
		Required bool   `yaml:"required"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	If    string            `yaml:"if"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
}

func readAction(t *testing.T) *action {
	t.Helper()
	src, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(src, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("action.yml: using %q with %d steps, want a composite action", a.Runs.Using, len(a.Runs.Steps))
	}
	return &a
}

// TestActionPinned: every action the composite action and the example
// workflows use is pinned to a full commit hash.
func TestActionPinned(t *testing.T) {
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	var uses []string
	for _, s := range readAction(t).Runs.Steps {
		if s.Uses != "" {
			uses = append(uses, "action.yml: "+s.Uses)
		}
	}
	files, _ := filepath.Glob("../../examples/github/*.yml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^\s*-?\s*uses:\s*(\S+)`).FindAllStringSubmatch(string(src), -1) {
			uses = append(uses, filepath.Base(f)+": "+m[1])
		}
	}
	if len(uses) < 2 {
		t.Fatalf("found only %v", uses)
	}
	for _, u := range uses {
		ref := u[strings.Index(u, ": ")+2:]
		if ref != "./" && !pinned.MatchString(ref) {
			t.Errorf("%s is not pinned to a commit", u)
		}
	}
}

// TestActionScriptsLint runs shellcheck on every run script of action.yml
// (actionlint lints the example workflows but not action metadata).
func TestActionScriptsLint(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is not installed (Debian: apt-get install shellcheck; .ci/run installs it)")
	}
	dir := t.TempDir()
	for i, s := range readAction(t).Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression inside the script can inject shell; pass it through env", s.Name)
		}
		f := filepath.Join(dir, fmt.Sprintf("step%d.sh", i))
		if err := os.WriteFile(f, []byte("#!/usr/bin/env bash\nset -eo pipefail\n"+s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(sc, "-S", "style", f).CombinedOutput(); err != nil {
			t.Errorf("step %q: shellcheck: %v\n%s", s.Name, err, out)
		}
	}
}

// TestActionTranscript runs the steps of action.yml, as written, on a
// fixture git repository: a base commit with a policy, its gate tests, two
// scenarios and a suite with budgets, and a pull request commit on top.
// The workspace is a shallow clone of the pull request, as
// actions/checkout makes it, so the step that fetches the base runs too.
// gh is a stand-in that applies the action's jq filter to a canned list of
// comments and records what would be posted. Each case's steps, their
// output and the comment are compared with testdata/action/NAME.txt.
// Regenerate with go test -run TestActionTranscript -rewrite.
func TestActionTranscript(t *testing.T) {
	for _, bin := range []string{"git", "jq", "bash"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is not installed: %v", bin, err)
		}
	}
	a := readAction(t)
	actionPath, err := filepath.Abs("../../")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	// One build of ringwise for every case: the action's build step,
	// run once, leaves it in RUNNER_TEMP, which the cases share.
	runner := filepath.Join(tmp, "runner")
	for _, tc := range []struct {
		name, head string
		// comments is the pull request's comments before the run, as the
		// GitHub API lists them.
		comments string
	}{
		// The first push of a change within the budgets: a new comment.
		{"faster", "testdata/action/head-faster.hcl", `[{"id": 7, "body": "Looks good to me"}]`},
		// The second push: the comment with the marker is updated.
		{"faster-again", "testdata/action/head-faster.hcl", `[{"id": 7, "body": "Looks good to me"}, {"id": 42, "body": "<!-- ringwise-review -->\n## ringwise review: old"}]`},
		// A change that drops the canary violates budgets: the job fails,
		// with the comment posted.
		{"no-canary", "testdata/action/head-no-canary.hcl", `[]`},
		// The pull request that adds the policy: the base has none, so
		// head is reviewed against itself and its budgets checked.
		{"first", "", `[]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(tmp, tc.name)
			origin, work := filepath.Join(dir, "origin"), filepath.Join(dir, "work")
			baseSHA := fixtureRepo(t, origin, tc.head)
			gitIn(t, dir, "clone", "-q", "--depth=1", "--branch", "pr", "file://"+origin, work)

			fake := filepath.Join(dir, "bin")
			os.MkdirAll(fake, 0o755)
			if err := os.WriteFile(filepath.Join(fake, "gh"), []byte(fakeGH), 0o755); err != nil {
				t.Fatal(err)
			}
			comments := filepath.Join(dir, "comments.json")
			os.WriteFile(comments, []byte(tc.comments), 0o644)
			ghLog := filepath.Join(dir, "gh.log")

			ctx := map[string]string{
				"github.action_path":                 actionPath,
				"github.repository":                  "acme/fleet",
				"github.token":                       "t0ken",
				"github.event.pull_request.number":   "7",
				"github.event.pull_request.base.sha": baseSHA,
			}
			with := map[string]string{"policy": "policies", "suite": "review/suite.hcl", "gates": "policies/gates"}
			for name, in := range a.Inputs {
				if v, ok := with[name]; ok {
					ctx["inputs."+name] = v
				} else if in.Required {
					t.Fatalf("required input %q not given", name)
				} else {
					ctx["inputs."+name] = in.Default
				}
			}
			summary := filepath.Join(dir, "summary.md")
			pathFile := filepath.Join(dir, "path")
			os.MkdirAll(runner, 0o755)
			env := append(os.Environ(),
				"RUNNER_TEMP="+runner, "GITHUB_STEP_SUMMARY="+summary, "GITHUB_PATH="+pathFile,
				"GITHUB_WORKSPACE="+work, "FAKE_GH_COMMENTS="+comments, "FAKE_GH_LOG="+ghLog,
				"GIT_CONFIG_GLOBAL="+filepath.Join(dir, "gitconfig"), "GIT_CONFIG_NOSYSTEM=1")
			extraPath := []string{fake}

			var tr bytes.Buffer
			what := strings.TrimPrefix(tc.head, "testdata/action/")
			if tc.head == "" {
				what = "adding policies/"
			}
			fmt.Fprintf(&tr, "# %s: pull request %s on base %s\n", tc.name, what, baseSHA[:12])
			failed := false
			for i, s := range a.Runs.Steps {
				if s.Uses != "" {
					fmt.Fprintf(&tr, "\n## %s: not run here (uses %s)\n", s.Name, s.Uses)
					continue
				}
				if failed {
					fmt.Fprintf(&tr, "\n## %s: skipped (a step failed)\n", s.Name)
					continue
				}
				if s.If != "" {
					t.Fatalf("step %q has an if: the test does not evaluate conditions", s.Name)
				}
				outFile := filepath.Join(dir, fmt.Sprintf("output%d", i))
				os.WriteFile(outFile, nil, 0o644)
				stepEnv := slices.Clone(env)
				stepEnv = append(stepEnv, "GITHUB_OUTPUT="+outFile, "PATH="+strings.Join(extraPath, ":")+":"+os.Getenv("PATH"))
				for k, v := range s.Env {
					stepEnv = append(stepEnv, k+"="+evalExpr(t, ctx, v))
				}
				rctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				cmd := exec.CommandContext(rctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
				cmd.Dir, cmd.Env = work, stepEnv
				out, err := cmd.CombinedOutput()
				cancel()
				code := 0
				if err != nil {
					ee, ok := err.(*exec.ExitError)
					if !ok {
						t.Fatalf("step %q: %v", s.Name, err)
					}
					code = ee.ExitCode()
					failed = true
				}
				fmt.Fprintf(&tr, "\n## %s: exit %d\n", s.Name, code)
				for line := range strings.Lines(string(out)) {
					// A cold module cache is no part of the action's output.
					if !strings.HasPrefix(line, "go: downloading ") {
						tr.WriteString(line)
					}
				}
				outputs, _ := os.ReadFile(outFile)
				for line := range strings.Lines(string(outputs)) {
					k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
					if s.ID != "" {
						ctx["steps."+s.ID+".outputs."+k] = v
					}
					fmt.Fprintf(&tr, "output %s=%s\n", k, v)
				}
				if p, err := os.ReadFile(pathFile); err == nil {
					extraPath = append(strings.Fields(string(p)), fake)
				}
			}
			fmt.Fprintf(&tr, "\n## job: %s\n", map[bool]string{true: "failure", false: "success"}[failed])
			if log, err := os.ReadFile(ghLog); err == nil {
				fmt.Fprintf(&tr, "\n## gh calls\n%s", log)
			}
			if s, err := os.ReadFile(summary); err == nil {
				fmt.Fprintf(&tr, "\n## job summary\n%s", s)
			}
			got := strings.NewReplacer(tmp, "$TMP", actionPath, "$ACTION_PATH").Replace(tr.String())
			goldenFile(t, "testdata/action/"+tc.name+".txt", []byte(got))

			// The comment posted is the job summary, and starts with the marker.
			posted, err := os.ReadFile(filepath.Join(dir, "posted.md"))
			if err != nil {
				t.Fatalf("nothing was posted: %v", err)
			}
			if s, _ := os.ReadFile(summary); !bytes.Equal(posted, s) || !bytes.HasPrefix(posted, []byte("<!-- ringwise-review -->\n")) {
				t.Errorf("the posted comment is not the job summary, or lacks the marker:\n%s", posted)
			}
		})
	}
}

// fakeGH stands in for the GitHub CLI: listing comments applies the
// --jq filter to $FAKE_GH_COMMENTS; posting records the body.
const fakeGH = `#!/usr/bin/env bash
set -euo pipefail
printf 'gh' >>"$FAKE_GH_LOG"
printf ' %q' "$@" >>"$FAKE_GH_LOG"
printf '\n' >>"$FAKE_GH_LOG"
[ "$1" = api ] || { echo "fake gh: only api" >&2; exit 2; }
shift
jq_expr= input=
while [ $# -gt 0 ]; do
  case "$1" in
    --jq) jq_expr=$2; shift ;;
    --input) input=$2; shift ;;
  esac
  shift
done
[ -n "$GH_TOKEN" ] || { echo "fake gh: no GH_TOKEN" >&2; exit 4; }
if [ -n "$jq_expr" ]; then
  jq -r "$jq_expr" "$FAKE_GH_COMMENTS"
elif [ "$input" = - ]; then
  jq -j .body >"$(dirname "$FAKE_GH_LOG")/posted.md"
  echo '{"id": 99}'
fi
`

// fixtureRepo makes a git repository at dir: the base commit on main
// (testdata/action/repo), then branch pr with head's policy; it returns
// the base commit. With head "", the base commit lacks policies/ and the
// pull request adds it. Dates and names are fixed, so the hashes are too.
func fixtureRepo(t *testing.T, dir, head string) string {
	t.Helper()
	if err := os.CopyFS(dir, os.DirFS("testdata/action/repo")); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "config", "uploadpack.allowReachableSHA1InWant", "true")
	gitIn(t, dir, "add", "-A")
	if head == "" {
		gitIn(t, dir, "rm", "-q", "-r", "--cached", "policies")
	}
	gitIn(t, dir, "commit", "-q", "-m", "base")
	base := strings.TrimSpace(gitIn(t, dir, "rev-parse", "HEAD"))
	gitIn(t, dir, "checkout", "-q", "-b", "pr")
	if head == "" {
		gitIn(t, dir, "add", "policies")
		gitIn(t, dir, "commit", "-q", "-m", "add the content rollout")
		return base
	}
	src, err := os.ReadFile(head)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "policies/content.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "commit", "-q", "-am", "change the content rollout")
	return base
}

// gitIn runs git in dir with a fixed identity and clock.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=2026-11-02T09:00:00Z", "GIT_COMMITTER_DATE=2026-11-02T09:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var exprRE = regexp.MustCompile(`^\$\{\{\s*([\w.-]+)\s*\}\}$`)

// evalExpr evaluates the only expressions action.yml uses: a whole value
// ${{ a.b.c }} that names a context value. Anything else is a test
// failure, so the action cannot drift into syntax the test does not run.
func evalExpr(t *testing.T, ctx map[string]string, v string) string {
	t.Helper()
	if !strings.Contains(v, "${{") {
		return v
	}
	m := exprRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		t.Fatalf("expression %q: the test evaluates only ${{ context.value }}", v)
	}
	got, ok := ctx[m[1]]
	if !ok {
		if strings.HasPrefix(m[1], "steps.") {
			return "" // an output the step did not set
		}
		t.Fatalf("expression %q: no %s in the test's context", v, m[1])
	}
	return evalExpr(t, ctx, got)
}

// goldenFile compares got with path, or rewrites it with -rewrite.
func goldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -rewrite writes it)", err, t.Name())
	}
	if string(want) != string(got) {
		t.Errorf("%s differs (go test -rewrite rewrites it); got:\n%s", path, got)
	}
}
