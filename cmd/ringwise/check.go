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
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"

	"github.com/ringwise/ringwise/observe"
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
Check validates rollout policies and the other files ringwise reads. Each
directory PATH is loaded as one policy (its .hcl and .hcl.json files;
tenant blocks apply to every rollout in it); the files named on the command
line are loaded together as one more. A file whose blocks are a scenario
(a simulation scenario) or telemetry (ringwise serve's Prometheus queries),
named or in a directory, is checked as such instead, and a file named
suite.hcl as a review suite (see ringwise review -suite).

A PATH ending in /... (such as ./... or examples/...), or a directory with
-r, stands for that directory and every directory below it that holds
such files, each checked on its own; directories whose names start with .
or _, and testdata directories, are skipped, as the go command does.

Warnings (a ring that can never receive a host, tenants whose selectors
overlap) are printed as FILE:LINE:COL: warning: ... and do not change the
exit status; with -strict they are errors.

Exit status: 0 when everything is valid (one OK line per policy or
scenario on stdout), 1 when anything is not (each problem on stderr as
FILE:LINE:COL: message, followed by the source line), 2 for a usage error.`

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "[-r] PATH...", checkHelp)
	recursive := fs.Bool("r", false, "check every directory below each directory PATH, as PATH/... does")
	strict := fs.Bool("strict", false, "treat warnings (rings that can never receive a host, overlapping tenants) as errors")
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
		if t.telemetry != "" {
			if !checkTelemetry(t.telemetry, stdout, stderr) {
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
		p, ok := loadPolicyStrict(t.policy, stderr, *strict)
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
	policy    []string
	display   string // the directory given, when policy lists its files
	scenario  string
	suite     string
	telemetry string
}

func (t checkTarget) name() string {
	if t.display != "" {
		return t.display
	}
	return strings.Join(t.policy, " ")
}

// checkTargets returns what check validates, in order: each directory (or
// each one below a DIR/... pattern) on its own, its scenarios, telemetry
// configurations and review suite apart (see fileTarget), and all policy
// files named on the command line together, in the place of the first one.
func checkTargets(paths []string) ([]checkTarget, error) {
	var out []checkTarget
	files := -1
	addDir := func(dir string, required bool) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var pol []string
		var others []checkTarget
		for _, e := range entries {
			if e.IsDir() || !policy.IsPolicyFile(e.Name()) {
				continue
			}
			path := filepath.Join(dir, e.Name())
			switch t := fileTarget(path); {
			case t.policy == nil:
				others = append(others, t)
			default:
				pol = append(pol, path)
			}
		}
		switch {
		case len(others) == 0 && len(pol) == 0 && required:
			return fmt.Errorf("%s holds no .hcl or .hcl.json files; to check the directories below it, write %s/... (or check -r %s)",
				dir, strings.TrimSuffix(dir, "/"), dir)
		case len(pol) > 0:
			out = append(out, checkTarget{policy: pol, display: dir})
		}
		out = append(out, others...)
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
				return nil, fmt.Errorf("%s: no directory below %s holds policy, scenario, telemetry or suite files", p, root)
			}
			continue
		}
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			if err := addDir(p, true); err != nil {
				return nil, err
			}
		case fileTarget(p).policy == nil:
			out = append(out, fileTarget(p))
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

// fileTarget says how to check one file: a review suite by its name
// (suite.hcl), a scenario or a telemetry configuration by its blocks, or
// else as a policy file (policy set).
func fileTarget(path string) checkTarget {
	if filepath.Base(path) == suiteFile {
		return checkTarget{suite: path}
	}
	switch kindOfFile(path) {
	case "scenario":
		return checkTarget{scenario: path}
	case "telemetry":
		return checkTarget{telemetry: path}
	}
	return checkTarget{policy: []string{path}}
}

// kindOfFile says what an HCL file holds, from its top-level blocks:
// "scenario" (a simulation scenario), "telemetry" (an observe
// configuration) or "policy" (anything else, including a file that does
// not parse, whose errors the policy loader then reports).
func kindOfFile(path string) string {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return "policy"
	}
	defer root.Close()
	src, diags := policy.ReadSource(root.FS(), filepath.Base(path), path, policy.DefaultMaxFileSize)
	if diags.HasErrors() || policy.CheckNesting(src, path, strings.HasSuffix(path, ".json")).HasErrors() {
		return "policy"
	}
	var body hcl.Body
	if strings.HasSuffix(path, ".json") {
		f, d := hcljson.Parse(src, path)
		if d.HasErrors() {
			return "policy"
		}
		body = f.Body
	} else {
		f, d := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		if d.HasErrors() {
			return "policy"
		}
		body = f.Body
	}
	content, _, _ := body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "scenario", LabelNames: []string{"name"}}, {Type: "telemetry", LabelNames: []string{"source"}}}})
	if content == nil || len(content.Blocks) == 0 {
		return "policy"
	}
	return content.Blocks[0].Type
}

// checkTelemetry parses the observe configuration at path and reports it.
func checkTelemetry(path string, stdout, stderr io.Writer) bool {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		fmt.Fprintf(stderr, "ringwise check: %v\n", err)
		return false
	}
	defer root.Close()
	src, diags := policy.ReadSource(root.FS(), filepath.Base(path), path, policy.DefaultMaxFileSize)
	if diags.HasErrors() {
		policy.WriteDiagnostics(stderr, nil, diags)
		return false
	}
	cfg, diags := observe.ParseConfig(src, path)
	policy.WriteDiagnostics(stderr, cfg.Files, diags)
	if diags.HasErrors() {
		return false
	}
	fmt.Fprintf(stdout, "%s: ok: telemetry from Prometheus at %s\n", path, cfg.Address)
	return true
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
