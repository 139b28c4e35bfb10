package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/simulate"
)

// scenarioFile is the name of a scenario in a directory: check, simulate
// and review treat it as a scenario, never as a policy file.
const scenarioFile = "scenario.hcl"

// suiteFile is the name of a review suite (review.ParseSuite): check
// validates it as one, never as a policy file.
const suiteFile = "suite.hcl"

const checkHelp = `
Check validates rollout policies and scenarios. Each directory PATH is
loaded as one policy (its .hcl and .hcl.json files; tenant blocks apply to
every rollout in it); the files named on the command line are loaded
together as one more. A file named scenario.hcl, named or in a directory,
is checked as a simulation scenario instead, and a file named suite.hcl
as a review suite (see ringwise review -suite).

A PATH ending in /... (such as ./... or examples/...), or a directory with
-r, stands for that directory and every directory below it that holds
policy files or a scenario.hcl, each checked on its own; directories whose
names start with . or _, and testdata directories, are skipped, as the go
command does.

Exit status: 0 when everything is valid (one OK line per policy or
scenario on stdout), 1 when anything is not (each problem on stderr as
FILE:LINE:COL: message, followed by the source line), 2 for a usage error.`

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "[-r] PATH...", checkHelp)
	recursive := fs.Bool("r", false, "check every directory below each directory PATH, as PATH/... does")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "ringwise check: no policy paths given\n")
		usageError(fs, stderr)
		return 2
	}
	paths := fs.Args()
	if *recursive {
		paths = slices.Clone(paths)
		for i, p := range paths {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() && !strings.HasSuffix(p, "...") {
				paths[i] = strings.TrimSuffix(p, "/") + "/..."
			}
		}
	}
	targets, err := checkTargets(paths)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise check: %v\n", err)
		return 1
	}
	code := 0
	for _, t := range targets {
		if t.scenario != "" {
			if !checkScenario(t.scenario, stdout, stderr) {
				code = 1
			}
			continue
		}
		if t.suite != "" {
			if !checkSuite(t.suite, stdout, stderr) {
				code = 1
			}
			continue
		}
		p, ok := loadPolicy(t.policy, stderr)
		if !ok {
			code = 1
			continue
		}
		names := make([]string, len(p.Plans))
		for i, pl := range p.Plans {
			names[i] = pl.Name
		}
		fmt.Fprintf(stdout, "%s: ok: %s, %s\n", t.name(), count(len(p.Plans), "rollout", names), count(len(p.Tenants), "tenant", nil))
	}
	return code
}

// A checkTarget is one policy (paths loaded together, named as given) or
// one scenario file.
type checkTarget struct {
	policy   []string
	display  string // the directory given, when policy lists its files
	scenario string
	suite    string
}

func (t checkTarget) name() string {
	if t.display != "" {
		return t.display
	}
	return strings.Join(t.policy, " ")
}

// checkTargets returns what check validates, in order: each directory (or
// each one below a DIR/... pattern) on its own, its scenario.hcl apart,
// and all files named on the command line together, in the place of the
// first one.
func checkTargets(paths []string) ([]checkTarget, error) {
	var out []checkTarget
	files := -1
	addDir := func(dir string, required bool) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var pol []string
		scenario, suite := false, false
		for _, e := range entries {
			switch {
			case e.IsDir() || !policy.IsPolicyFile(e.Name()):
			case e.Name() == scenarioFile:
				scenario = true
			case e.Name() == suiteFile:
				suite = true
			default:
				pol = append(pol, filepath.Join(dir, e.Name()))
			}
		}
		switch {
		case !scenario && !suite && len(pol) == 0 && required:
			return fmt.Errorf("%s holds no .hcl or .hcl.json files; to check the directories below it, write %s/... (or check -r %s)",
				dir, strings.TrimSuffix(dir, "/"), dir)
		case len(pol) > 0:
			out = append(out, checkTarget{policy: pol, display: dir})
		}
		if scenario {
			out = append(out, checkTarget{scenario: filepath.Join(dir, scenarioFile)})
		}
		if suite {
			out = append(out, checkTarget{suite: filepath.Join(dir, suiteFile)})
		}
		return nil
	}
	for _, p := range paths {
		if root, ok := strings.CutSuffix(p, "..."); ok && (root == "" || strings.HasSuffix(root, "/") || strings.HasSuffix(root, string(filepath.Separator))) {
			root = filepath.Clean(root + ".")
			before := len(out)
			err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					return nil
				}
				if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || n == "testdata") {
					return filepath.SkipDir
				}
				return addDir(path, false)
			})
			if err != nil {
				return nil, err
			}
			if len(out) == before {
				return nil, fmt.Errorf("%s: no directory below %s holds policy files or a %s", p, root, scenarioFile)
			}
			continue
		}
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			if err := addDir(p, true); err != nil {
				return nil, err
			}
		case filepath.Base(p) == scenarioFile:
			out = append(out, checkTarget{scenario: p})
		case filepath.Base(p) == suiteFile:
			out = append(out, checkTarget{suite: p})
		default:
			if files < 0 {
				files = len(out)
				out = append(out, checkTarget{})
			}
			out[files].policy = append(out[files].policy, p)
		}
	}
	return out, nil
}

// checkScenario parses the scenario file at path and reports it.
func checkScenario(path string, stdout, stderr io.Writer) bool {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		fmt.Fprintf(stderr, "ringwise check: %v\n", err)
		return false
	}
	defer root.Close()
	src, diags := policy.ReadSource(root.FS(), filepath.Base(path), path, simulate.MaxScenarioSize)
	if diags.HasErrors() {
		policy.WriteDiagnostics(stderr, nil, diags)
		return false
	}
	sc, file, diags := simulate.ParseScenario(src, path)
	files := map[string]*hcl.File{}
	if file != nil {
		files[path] = file
	}
	policy.WriteDiagnostics(stderr, files, diags)
	if diags.HasErrors() {
		return false
	}
	fmt.Fprintf(stdout, "%s: ok: scenario %s\n", path, sc.Name)
	return true
}

func count(n int, noun string, names []string) string {
	s := fmt.Sprintf("%d %s", n, noun)
	if n != 1 {
		s += "s"
	}
	if len(names) > 0 {
		s += " (" + strings.Join(names, ", ") + ")"
	}
	return s
}
