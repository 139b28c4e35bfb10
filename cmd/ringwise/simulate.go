package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ringwise/ringwise/examples"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

func init() {
	commands = append(commands, command{"simulate", "replay a scenario under a policy", runSimulate})
}

// simulateHelp is simulate's -h text, with the legend of the metrics.
func simulateHelp() string {
	var legend strings.Builder
	simulate.WriteLegend(&legend, "  ")
	return `
Simulate replays the scenario file SCENARIO (or DIR/scenario.hcl when
SCENARIO is a directory DIR): its fleet checks in and asks the rollout
engine, under the policy, whether to take the update; faults
break the hosts that take a bad one; the controller sees only simulated
telemetry. It reports the damage (failed hosts, host-hours down, repairs,
time to detect and halt) and the delay (time until 50%, 95% and 99% of the
targeted hosts run the update healthy). Times count from the release.

The policy is the scenario's policy attribute (relative to the scenario
file) unless -policy names another file or directory. The attribute must
resolve inside the scenario file's directory, or inside -root DIR: a path
or symbolic link that leads out of it, or a file that is not a policy file,
is refused. With -runs N the simulation runs N times with seeds derived
from -seed, on every core (fewer at once when -memory is short); the
results do not depend on the number of cores. A scenario that would need
more memory than -memory is refused before anything is built.

The text report ends with a legend of its metrics (below) and, unless
-compare=false, one line comparing the first run with the same seed under
the policy ringwise recommends (examples/policies/recommended.hcl, built
in), which costs one more run. On a terminal, stderr shows the progress:
runs done, simulated time, time left.

Exit status: 0 on success, 1 for an invalid scenario or policy (each
problem on stderr as FILE:LINE:COL: message, then the source line), 2 for
a usage error.

Metrics:
` + legend.String()
}

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("simulate", "[-policy PATH] [-root DIR] [-seed N] [-runs N] [-json] [-csv FILE] [-svg FILE] [-memory SIZE] [-compare=false] SCENARIO", simulateHelp())
	policyPath := fs.String("policy", "", "policy file or directory (default: the scenario's)")
	rootDir := fs.String("root", "", "the directory the scenario's policy attribute must resolve inside (default: the scenario file's directory)")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	runs := fs.Int("runs", 1, "number of runs (Monte Carlo)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	csvPath := fs.String("csv", "", "write the first run's timeline as CSV to `FILE`")
	svgPath := fs.String("svg", "", "write the first run's chart as SVG to `FILE`")
	memory := fs.String("memory", "", "the most memory the simulation may need, e.g. 8GiB or 512MiB (default 4GiB)")
	compare := fs.Bool("compare", true, "end the text report comparing with the recommended policy (one more run)")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	budget, err := parseBytes(*memory)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise simulate: -memory: %v\n", err)
		usageError(fs, stderr)
		return 2
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
	// Before the policy and the fleet are built: a scenario that does
	// not fit is refused at the attribute that costs the most.
	if d := sc.CheckMemory(budget, 1); d.HasErrors() {
		policy.WriteDiagnostics(stderr, files, d)
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
	sim, err := simulate.New(sc, plan, simulate.WithMemoryBudget(budget))
	if err != nil {
		fmt.Fprintf(stderr, "ringwise simulate: %v\n", err)
		return 1
	}
	ctx := context.Background()
	var progress *progressLine
	if isTerminal(stderr) {
		progress = newProgressLine(stderr, "simulating "+sc.Name, *runs, sc.Horizon, time.Now)
		ctx = simulate.WithProgress(ctx, progress.update)
	}
	rep, err := sim.MonteCarlo(ctx, *seed, *runs, 0)
	if progress != nil {
		progress.clear()
	}
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
	if *compare {
		line, err := compareRecommended(sc, plan, rep.Runs[0], *seed, budget, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ringwise simulate: cannot compare with %s: %v\n", examples.RecommendedPath, err)
			return 0
		}
		fmt.Fprintf(stdout, "\n%s\n", line)
	}
	return 0
}

// compareRecommended runs the scenario once under the recommended policy,
// with the seed of here's first run, and says in one line how it compares.
func compareRecommended(sc *simulate.Scenario, plan *rollout.Plan, here *simulate.Result, seed uint64, budget int64, stderr io.Writer) (string, error) {
	pol, diags := policy.Load(examples.Recommended())
	if diags.HasErrors() {
		return "", diags
	}
	m, err := pol.Match(sc.Update.Kind, "")
	if err != nil {
		return "", err
	}
	if m.Plan.Digest() == plan.Digest() {
		return fmt.Sprintf("This is the policy ringwise recommends (%s).", examples.RecommendedPath), nil
	}
	sim, err := simulate.New(sc, m.Plan, simulate.WithMemoryBudget(budget))
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	if isTerminal(stderr) {
		p := newProgressLine(stderr, "comparing with the recommended policy", 1, sc.Horizon, time.Now)
		ctx = simulate.WithProgress(ctx, p.update)
		defer p.clear()
	}
	rec, err := sim.Run(ctx, simulate.SeedFor(seed, 0))
	if err != nil {
		return "", err
	}
	cell := func(r *simulate.Result, metric string) string {
		v, ok := r.Metric(metric)
		return simulate.MetricText(metric, v, ok)
	}
	return fmt.Sprintf("With %s instead (seed %d): %s hosts failed (here %s), 95%% protected %s (here %s), outage %s (here %s). Run with -policy %s to see it.",
		examples.RecommendedPath, simulate.SeedFor(seed, 0),
		cell(rec, "failed"), cell(here, "failed"),
		cell(rec, "coverage_95_seconds"), cell(here, "coverage_95_seconds"),
		cell(rec, "outage_seconds"), cell(here, "outage_seconds"),
		examples.RecommendedPath), nil
}

// parseBytes parses a memory size: a whole number of bytes, or a number
// with a unit KiB, MiB, GiB or TiB (KB, MB, GB, TB are taken as the same).
// "" is simulate.DefaultMemoryBudget.
func parseBytes(s string) (int64, error) {
	if s == "" {
		return simulate.DefaultMemoryBudget, nil
	}
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' && r != '.' })
	unit := strings.ToUpper(strings.TrimSpace(s[len(num):]))
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
		"G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}[unit]
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || !(f > 0) || f*mult > 1<<62 {
		return 0, fmt.Errorf("want a size such as 8GiB, 512MiB or a number of bytes, got %q", s)
	}
	return int64(f * mult), nil
}
