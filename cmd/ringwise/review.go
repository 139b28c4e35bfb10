package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/review"
	"github.com/ringwise/ringwise/simulate"
)

func init() {
	commands = append(commands, command{"review", "compare two versions of a policy on scenarios, as a PR comment", runReview})
}

func runReview(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("review", "[-base PATH] [-head PATH] [-base-ref REV] [-head-ref REV] [-root DIR] [-suite FILE] [-check] [-runs N] [-seed N] [-json] [SCENARIO...]", `
Review compares two versions of a policy, base (before the change) and
head (after it). It prints a GitHub Markdown comment for the pull request:
first what changed in the rules (rollouts, rings, steps, bakes, caps,
covers, triggers, gates, blackouts, tenants, windows and urgencies, with
FILE:LINE on both sides), then each scenario replayed under both sides
with the same seeds: p50 and p95 over the runs of the blast radius (hosts
failed, at once, repaired by hand, host-hours down, outage), the response
(time to detect, halt, rolled back) and the time to protection (50%, 95%
and 99% of targeted hosts updated and healthy), with a chart of hosts
updated and failed over time. A metric is marked ⚠️ worse or ✅ better
only when a Wilcoxon signed-rank test on the per-seed differences says so
at a 5% false-discovery rate (Benjamini-Hochberg over the metrics tested);
otherwise "no clear change".

Scenarios are files, directories (every scenario.hcl under them) and the
scenario blocks of a -suite file, which also sets budgets that head must
meet (see "go doc github.com/ringwise/ringwise/review ParseSuite").

A side without -base or -head is each scenario's own policy attribute,
which must resolve inside the scenario file's directory, or inside -root
DIR (say, the repository's top): a path or symbolic link that leads out
of it, or a file that is not a policy file, is refused and never read.
With -base-ref REV, base is read from the git revision REV instead of the
work tree: the -base path, or else the -head path, or else each
scenario's policy, as of REV (likewise -head-ref). Symlinks and paths
outside the repository are refused. Policies load as with ringwise check,
Rego gates included.

Exit status: 0 when the comparison ran, whatever it found (a reviewer
decides), and with -check when head also met every budget; 1 for an
invalid scenario, suite or policy (the diagnostics on stderr, and in the
comment as a fenced block), or with -check for a budget head violates; 2
for a usage error.`)
	base := fs.String("base", "", "the policy before the change, a file or directory (default: each scenario's)")
	head := fs.String("head", "", "the policy after the change, a file or directory (default: each scenario's)")
	baseRef := fs.String("base-ref", "", "read base as of this git revision (e.g. origin/main)")
	headRef := fs.String("head-ref", "", "read head as of this git revision (default: the work tree)")
	suite := fs.String("suite", "", "a suite `FILE`: scenarios and the budgets head must meet")
	check := fs.Bool("check", false, "exit 1 when head violates a budget")
	runs := fs.Int("runs", review.DefaultRuns, "runs per scenario and side (Monte Carlo)")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	headSeed := fs.Uint64("head-seed", 0, "seed of head's first run, for unpaired runs (default: -seed); a policy against itself shows the noise")
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	jsonFile := fs.String("json-file", "", "also write the comparison as JSON to `FILE`")
	rootDir := fs.String("root", "", "the directory each scenario's policy attribute must resolve inside (default: the scenario file's directory)")
	maxBytes := fs.Int("max-bytes", review.MaxCommentBytes, "trim the Markdown comment to at most this many bytes")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "ringwise review: "+format+"\n", args...)
		usageError(fs, stderr)
		return 2
	}
	switch {
	case fs.NArg() == 0 && *suite == "":
		return fail("no scenarios given")
	case *base == "" && *head == "" && *baseRef == "" && *headRef == "":
		return fail("give -base, -head, -base-ref or -head-ref: there is nothing to compare")
	case *runs < 1 || *runs > review.MaxRuns:
		return fail("-runs must be in [1, %d], got %d", review.MaxRuns, *runs)
	case *maxBytes < 1024:
		return fail("-max-bytes must be at least 1024, got %d", *maxBytes)
	}
	basePath, headPath := *base, *head
	if *baseRef != "" && basePath == "" {
		basePath = headPath
	}
	if *headRef != "" && headPath == "" {
		headPath = basePath
	}
	rl := &reviewLoader{sides: [2]reviewSide{{"base", basePath, *baseRef}, {"head", headPath, *headRef}}, root: *rootDir, cache: map[string]*loadedPolicy{}}
	cases := rl.load(*suite, fs.Args())
	for _, d := range rl.diags {
		io.WriteString(stderr, d.Text)
	}
	var rep *review.Report
	if len(rl.diags) > 0 {
		rep = review.Invalid(rl.label(0), rl.label(1), rl.diags)
	} else {
		opts := review.Options{Runs: *runs, Seed: *seed, HeadSeed: *headSeed}
		if isTerminal(stderr) {
			opts.Progress = progress(stderr)
		}
		var err error
		rep, err = review.Compare(context.Background(), cases, opts)
		if opts.Progress != nil {
			fmt.Fprint(stderr, "\r\033[K")
		}
		if err != nil {
			fmt.Fprintf(stderr, "ringwise review: %v\n", err)
			return 1
		}
	}
	if *jsonFile != "" {
		var b bytes.Buffer
		err := review.WriteJSON(&b, rep)
		if err == nil {
			err = os.WriteFile(*jsonFile, b.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ringwise review: %v\n", err)
			return 1
		}
	}
	var err error
	if *asJSON {
		err = review.WriteJSON(stdout, rep)
	} else {
		err = review.WriteMarkdown(stdout, rep, review.MarkdownOptions{MaxBytes: *maxBytes})
	}
	if err != nil {
		fmt.Fprintf(stderr, "ringwise review: %v\n", err)
		return 1
	}
	switch {
	case len(rep.Diagnostics) > 0:
		return 1
	case *check && rep.BudgetsViolated > 0:
		fmt.Fprintf(stderr, "ringwise review: head violates %d of %s\n", rep.BudgetsViolated, plural(rep.BudgetsChecked, "budget"))
		return 1
	}
	return 0
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress returns a callback that redraws "runs done/total" on one line,
// at most once per percent.
func progress(w io.Writer) func(done, total int) {
	last := -1
	return func(done, total int) {
		if pct := done * 100 / total; pct != last {
			last = pct
			fmt.Fprintf(w, "\rringwise review: %d/%d runs (%d%%)", done, total, pct)
		}
	}
}

// reviewSide is how one side's policy is found: a path (empty: each
// scenario's own) read from the work tree or, with a rev, from git.
type reviewSide struct {
	name, path, rev string
}

type loadedPolicy struct {
	side review.Side
	ok   bool
}

// reviewLoader loads the scenarios, the suite and both sides' policies,
// recording every problem.
type reviewLoader struct {
	sides [2]reviewSide
	root  string                   // -root: where scenarios' own policies must resolve
	cache map[string]*loadedPolicy // by rev + "\x00" + path
	diags []review.Diagnostic
}

// label names a side for the heading of an invalid review.
func (rl *reviewLoader) label(i int) string {
	s := rl.sides[i]
	if s.path == "" {
		return ""
	}
	return sideLabel(s.path, s.rev)
}

func sideLabel(path, rev string) string {
	if rev == "" {
		return path
	}
	return path + "@" + shortRev(rev)
}

func (rl *reviewLoader) bad(side, path, text string) {
	rl.diags = append(rl.diags, review.Diagnostic{Side: side, Path: path, Text: text})
}

// load returns the cases: the suite's scenarios with their budgets, then
// the arguments' scenarios, with diagnostics in that order.
func (rl *reviewLoader) load(suitePath string, args []string) []review.Case {
	var cases []review.Case
	add := func(path string, budgets []review.Budget) {
		if c, ok := rl.scenario(path, budgets); ok {
			cases = append(cases, c)
		}
	}
	if suitePath != "" {
		src, err := readSource(suitePath, review.MaxSuiteSize)
		if err != "" {
			rl.bad("suite", suitePath, err)
		} else {
			s, file, diags := review.ParseSuite(src, suitePath)
			if diags.HasErrors() {
				var b bytes.Buffer
				policy.WriteDiagnostics(&b, map[string]*hcl.File{suitePath: file}, diags)
				rl.bad("suite", suitePath, b.String())
			} else {
				for _, sc := range s.Scenarios {
					p := filepath.Join(filepath.Dir(suitePath), filepath.FromSlash(sc.Path))
					for _, f := range rl.scenarioPaths(p) {
						add(f, sc.Budgets)
					}
				}
			}
		}
	}
	for _, a := range args {
		for _, f := range rl.scenarioPaths(a) {
			add(f, nil)
		}
	}
	return cases
}

// scenario loads one scenario and both sides' policies for it.
func (rl *reviewLoader) scenario(path string, budgets []review.Budget) (review.Case, bool) {
	var b bytes.Buffer
	sc, named := readScenario(path, &b)
	if sc == nil {
		rl.bad("scenario", path, b.String())
		return review.Case{}, false
	}
	c := review.Case{Path: path, Scenario: sc, Budgets: budgets}
	ok := true
	for i, out := range []*review.Side{&c.Base, &c.Head} {
		s := rl.sides[i]
		var lp *loadedPolicy
		pp := s.path
		switch {
		case pp != "":
			lp = rl.policy(s.name, pp, s.rev)
		case s.rev != "":
			// The scenario's own policy as of the revision: git confines
			// it to the repository.
			pp = filepath.Join(filepath.Dir(path), filepath.FromSlash(sc.Policy))
			lp = rl.policy(s.name, pp, s.rev)
		default:
			lp = rl.scenarioPolicy(s.name, sc, path, named)
			pp = lp.side.Label
		}
		if !lp.ok {
			ok = false
			continue
		}
		if _, diags := simulate.SelectPlan(lp.side.Policy, sc); diags.HasErrors() {
			var b bytes.Buffer
			policy.WriteDiagnostics(&b, named, diags)
			rl.bad(s.name, pp, b.String())
			ok = false
			continue
		}
		*out = lp.side
	}
	return c, ok
}

// scenarioPolicy loads a scenario's own policy, confined to -root (or the
// scenario's directory), once per resolved path.
func (rl *reviewLoader) scenarioPolicy(side string, sc *simulate.Scenario, path string, named map[string]*hcl.File) *loadedPolicy {
	var b bytes.Buffer
	p, display, ok := loadScenarioPolicy(sc, path, rl.root, named, &b)
	key := "\x00root\x00" + rl.root + "\x00" + display
	if lp, seen := rl.cache[key]; seen {
		return lp
	}
	lp := &loadedPolicy{side: review.Side{Label: display, Policy: p}, ok: ok}
	rl.cache[key] = lp
	if !ok {
		rl.bad(side, display, b.String())
	}
	return lp
}

// policy loads a side's policy once per path and revision.
func (rl *reviewLoader) policy(side, path, rev string) *loadedPolicy {
	key := rev + "\x00" + path
	if lp, ok := rl.cache[key]; ok {
		return lp
	}
	lp := &loadedPolicy{side: review.Side{Label: sideLabel(path, rev)}}
	rl.cache[key] = lp
	var b bytes.Buffer
	if rev == "" {
		p, dir, ok := loadPolicyDir(path, &b)
		lp.side.Policy, lp.side.Dir, lp.ok = p, dir, ok
	} else {
		p, dir, err := loadPolicyAt(rev, path, &b)
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", lp.side.Label, err)
		}
		lp.side.Policy, lp.side.Dir, lp.ok = p, dir, err == nil && p != nil
	}
	if !lp.ok {
		rl.bad(side, lp.side.Label, b.String())
	}
	return lp
}

// scenarioPaths expands a directory to the scenario.hcl files under it,
// sorted; a directory without one is a diagnostic.
func (rl *reviewLoader) scenarioPaths(a string) []string {
	fi, err := os.Stat(a)
	if err != nil || !fi.IsDir() {
		return []string{a} // reading it reports the error
	}
	var found []string
	err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "scenario.hcl" {
			found = append(found, p)
		}
		return nil
	})
	if err == nil && len(found) == 0 {
		err = fmt.Errorf("no scenario.hcl under %s", a)
	}
	if err != nil {
		rl.bad("scenario", a, fmt.Sprintf("%s: %v\n", a, err))
		return nil
	}
	slices.Sort(found)
	return found
}

// readSource reads a regular file of at most limit bytes; on failure it
// returns the rendered diagnostic.
func readSource(path string, limit int64) ([]byte, string) {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Sprintf("%s: %v\n", path, err)
	}
	defer root.Close()
	src, diags := policy.ReadSource(root.FS(), filepath.Base(path), path, limit)
	if diags.HasErrors() {
		var b bytes.Buffer
		policy.WriteDiagnostics(&b, nil, diags)
		return nil, b.String()
	}
	return src, ""
}

// shortRev shortens a full commit hash for labels.
func shortRev(rev string) string {
	if len(rev) == 40 && strings.Trim(rev, "0123456789abcdef") == "" {
		return rev[:12]
	}
	return rev
}

// checkSuite parses the review suite at path and reports it, for check.
func checkSuite(path string, stdout, stderr io.Writer) bool {
	src, msg := readSource(path, review.MaxSuiteSize)
	if msg != "" {
		io.WriteString(stderr, msg)
		return false
	}
	s, file, diags := review.ParseSuite(src, path)
	policy.WriteDiagnostics(stderr, map[string]*hcl.File{path: file}, diags)
	if diags.HasErrors() {
		return false
	}
	n := 0
	for _, sc := range s.Scenarios {
		n += len(sc.Budgets)
	}
	fmt.Fprintf(stdout, "%s: ok: review suite, %s, %s\n", path, plural(len(s.Scenarios), "scenario block"), plural(n, "budget"))
	return true
}
