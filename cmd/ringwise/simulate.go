package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/simulate"
)

func init() {
	commands = append(commands, command{"simulate", "replay a scenario under a policy", runSimulate})
}

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("simulate", "[-policy PATH] [-root DIR] [-seed N] [-runs N] [-json] [-csv FILE] [-svg FILE] SCENARIO", `
Simulate replays the scenario file SCENARIO (or DIR/scenario.hcl when
SCENARIO is a directory DIR): its fleet checks in and asks
the rollout engine, under the policy, whether to take the update; faults
break the hosts that take a bad one; the controller sees only simulated
telemetry. It reports the damage (failed hosts, host-hours down, repairs,
time to detect and halt) and the delay (time until 50%, 95% and 99% of the
targeted hosts run the update healthy). Times count from the release.

The policy is the scenario's policy attribute (relative to the scenario
file) unless -policy names another file or directory. The attribute must
resolve inside the scenario file's directory, or inside -root DIR: a path
or symbolic link that leads out of it, or a file that is not a policy file,
is refused. With -runs N the
simulation runs N times with seeds derived from -seed, on every core; the
results do not depend on the number of cores.

Exit status: 0 on success, 1 for an invalid scenario or policy (each
problem on stderr as FILE:LINE:COL: message, then the source line), 2 for
a usage error.`)
	policyPath := fs.String("policy", "", "policy file or directory (default: the scenario's)")
	rootDir := fs.String("root", "", "the directory the scenario's policy attribute must resolve inside (default: the scenario file's directory)")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	runs := fs.Int("runs", 1, "number of runs (Monte Carlo)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	csvPath := fs.String("csv", "", "write the first run's timeline as CSV to `FILE`")
	svgPath := fs.String("svg", "", "write the first run's chart as SVG to `FILE`")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "ringwise simulate: want exactly one scenario file, got %d arguments\n", fs.NArg())
		usageError(fs, stderr)
		return 2
	}
	if *runs < 1 || *runs > 100000 {
		fmt.Fprintf(stderr, "ringwise simulate: -runs must be in [1, 100000], got %d\n", *runs)
		usageError(fs, stderr)
		return 2
	}
	path := fs.Arg(0)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, scenarioFile) // a directory holding scenario.hcl, as review takes
	}
	sc, files := readScenario(path, stderr)
	if sc == nil {
		return 1
	}
	var pol *policy.Policy
	var ok bool
	if *policyPath != "" {
		pol, ok = loadPolicy([]string{*policyPath}, stderr)
	} else {
		pol, _, ok = loadScenarioPolicy(sc, path, *rootDir, files, stderr)
	}
	if !ok {
		return 1
	}
	plan, diags := simulate.SelectPlan(pol, sc)
	policy.WriteDiagnostics(stderr, files, diags) // errors, or a warning that the kind fell back
	if diags.HasErrors() {
		return 1
	}
	sim, err := simulate.New(sc, plan)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise simulate: %v\n", err)
		return 1
	}
	rep, err := sim.MonteCarlo(context.Background(), *seed, *runs, 0)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise simulate: %v\n", err)
		return 1
	}
	write := func(name string, f func(io.Writer) error) bool {
		var b bytes.Buffer
		err := f(&b)
		if err == nil {
			err = os.WriteFile(name, b.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ringwise simulate: %v\n", err)
			return false
		}
		return true
	}
	if *csvPath != "" && !write(*csvPath, func(w io.Writer) error { return simulate.WriteCSV(w, rep.Runs[0]) }) {
		return 1
	}
	if *svgPath != "" && !write(*svgPath, func(w io.Writer) error { return simulate.WriteSVG(w, sc, plan.Name, rep.Runs[0]) }) {
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "ringwise simulate: %v\n", err)
			return 1
		}
		return 0
	}
	if err := simulate.WriteText(stdout, sc, rep); err != nil {
		fmt.Fprintf(stderr, "ringwise simulate: %v\n", err)
		return 1
	}
	return 0
}
