package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
	"github.com/ringwise/ringwise/simulate"
)

// loadPolicy loads paths as one policy, compiling gate blocks with Rego, and
// writes every diagnostic to stderr in FILE:LINE:COL form. ok is false when
// there were errors.
func loadPolicy(paths []string, stderr io.Writer) (p *policy.Policy, ok bool) {
	return loadPolicyStrict(paths, stderr, false)
}

// loadPolicyStrict is loadPolicy; with strict, warnings are errors.
func loadPolicyStrict(paths []string, stderr io.Writer, strict bool) (p *policy.Policy, ok bool) {
	gates := rego.NewLoader()
	p, diags := policy.LoadPaths(paths, policy.WithGateLoader(gates))
	if strict {
		for _, d := range diags {
			d.Severity = hcl.DiagError
		}
	}
	files := maps.Clone(p.Files)
	if files == nil {
		files = map[string]*hcl.File{}
	}
	maps.Copy(files, gates.Files())
	policy.WriteDiagnostics(stderr, files, diags)
	return p, !diags.HasErrors()
}

// readScenario reads and parses the scenario file path, named on the
// command line: a regular file of at most simulate.MaxScenarioSize bytes
// (policy.ReadSource). Diagnostics go to stderr; sc is nil on errors.
func readScenario(path string, stderr io.Writer) (sc *simulate.Scenario, files map[string]*hcl.File) {
	files = map[string]*hcl.File{}
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		fmt.Fprintf(stderr, "%s: Cannot read scenario: %v\n", path, errors.Unwrap(err))
		return nil, files
	}
	defer root.Close()
	src, diags := policy.ReadSource(root.FS(), filepath.Base(path), path, simulate.MaxScenarioSize)
	if !diags.HasErrors() {
		var file *hcl.File
		sc, file, diags = simulate.ParseScenario(src, path)
		if file != nil {
			files[path] = file
		}
	}
	policy.WriteDiagnostics(stderr, files, diags)
	if diags.HasErrors() {
		return nil, files
	}
	return sc, files
}

// loadScenarioPolicy loads the policy a scenario names in its policy
// attribute, confined to rootDir (the scenario file's directory when
// empty): simulate.LoadPolicy refuses paths that lead out of it. It
// returns the policy's path as a person would write it, for reports.
func loadScenarioPolicy(sc *simulate.Scenario, path, rootDir string, files map[string]*hcl.File, stderr io.Writer) (p *policy.Policy, display string, ok bool) {
	display = filepath.Join(filepath.Dir(path), filepath.FromSlash(sc.Policy))
	if rootDir == "" {
		rootDir = filepath.Dir(path)
	}
	rel, err := filepath.Rel(rootDir, filepath.Dir(path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		fmt.Fprintf(stderr, "%s: the scenario is not inside -root %s\n", path, rootDir)
		return nil, display, false
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", rootDir, err)
		return nil, display, false
	}
	defer root.Close()
	gates := rego.NewLoader()
	p, diags := simulate.LoadPolicy(root, rel, sc, policy.WithGateLoader(gates))
	all := maps.Clone(files)
	maps.Copy(all, p.Files)
	maps.Copy(all, gates.Files())
	policy.WriteDiagnostics(stderr, all, diags)
	return p, display, !diags.HasErrors()
}
