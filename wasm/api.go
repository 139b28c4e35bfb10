// Command wasm is the browser build of ringwise: compiled with GOOS=js
// GOARCH=wasm it registers a global object ringwise whose functions check,
// format, plan and simulate policies given as strings (see README.md).
//
// This file holds the whole API as plain Go, without build tags, so that it
// is tested natively (go test ./wasm); main_js.go only converts JavaScript
// values to and from JSON. Rego gates are in the build tagged
// ringwise_gates only (gates_on.go): OPA adds tens of megabytes, so the
// playground loads that second module only for policies with gate blocks.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

// MaxRuns is the most Monte Carlo runs simulate does in one call: the
// browser runs them on one thread.
const MaxRuns = 1000

// ScenarioFile is the file name of the scenario in diagnostics.
const ScenarioFile = "scenario.hcl"

// Failure is what every function returns instead of a result when the input
// is bad: a one-line error and, for problems in a file, the rendered
// FILE:LINE:COL diagnostics with their source lines.
type Failure struct {
	Error       string    `json:"error"`
	Diagnostics string    `json:"diagnostics,omitempty"`
	Problems    []Problem `json:"problems,omitempty"`
}

func failf(format string, args ...any) *Failure {
	return &Failure{Error: fmt.Sprintf(format, args...)}
}

// CheckResult is the result of Check. Diagnostics holds warnings when OK,
// errors (and warnings) when not; Error then summarises them.
// Problems places each diagnostic in its file for an editor; Gates says
// whether the policy has gate blocks (this build evaluates them only when
// the constant Gates is true).
type CheckResult struct {
	OK          bool      `json:"ok"`
	Rollouts    []string  `json:"rollouts"`
	Tenants     int       `json:"tenants"`
	Gates       bool      `json:"gates"`
	Error       string    `json:"error,omitempty"`
	Diagnostics string    `json:"diagnostics"`
	Problems    []Problem `json:"problems"`
}

// Check loads files (name to source) as one policy directory.
func Check(files map[string]string) CheckResult {
	p, diags, gates, fail := load(files)
	if fail != nil {
		return CheckResult{Rollouts: []string{}, Error: fail.Error, Diagnostics: fail.Diagnostics, Problems: []Problem{}}
	}
	r := CheckResult{OK: !diags.HasErrors(), Rollouts: []string{}, Tenants: len(p.Tenants), Gates: gates,
		Diagnostics: render(p.Files, diags), Problems: problems(fileSources(p.Files), diags)}
	if !r.OK {
		r.Error = summary(diags)
		return r
	}
	for _, pl := range p.Plans {
		r.Rollouts = append(r.Rollouts, pl.Name)
	}
	return r
}

// FormatResult is the result of Format.
type FormatResult struct {
	Source string `json:"source"`
}

// Format formats one policy file canonically, like ringwise fmt.
func Format(name, source string) (*FormatResult, *Failure) {
	if name == "" {
		name = "policy.hcl"
	}
	src := []byte(source)
	out, diags := policy.Format(src, name)
	if diags.HasErrors() {
		files := map[string]*hcl.File{name: {Bytes: src}}
		return nil, &Failure{Error: summary(diags), Diagnostics: render(files, diags), Problems: problems(fileSources(files), diags)}
	}
	return &FormatResult{Source: string(out)}, nil
}

// PlanOptions pick the rollout and the update, like ringwise plan's flags.
// Start is RFC 3339; empty means now.
type PlanOptions struct {
	Kind    string `json:"kind"`
	Rollout string `json:"rollout"`
	Urgency string `json:"urgency"`
	Start   string `json:"start"`
}

// PlanJSON is the schedule in the shape of ringwise plan -json: the
// engine's one type for that contract.
type PlanJSON = rollout.ScheduleJSON

// PlanStep is one step of a PlanJSON.
type PlanStep = rollout.ScheduleStepJSON

// Plan returns the nominal schedule of the rollout that opts pick.
func Plan(files map[string]string, opts PlanOptions) (*PlanJSON, *Failure) {
	start := time.Now().UTC().Truncate(time.Second)
	if opts.Start != "" {
		t, err := time.Parse(time.RFC3339, opts.Start)
		if err != nil {
			return nil, failf("start %q is not an RFC 3339 time such as 2026-01-05T09:00:00Z", opts.Start)
		}
		start = t
	}
	p, fail := loadOK(files)
	if fail != nil {
		return nil, fail
	}
	plan, err := p.Select(opts.Kind, opts.Rollout)
	if err != nil {
		return nil, failf("%s; pick one with rollout or kind", strings.TrimPrefix(err.Error(), "policy: "))
	}
	u, err := plan.CheckUpdate(rollout.Update{ID: "plan", Kind: opts.Kind, Urgency: opts.Urgency})
	if err != nil {
		return nil, failf("%s", strings.TrimPrefix(err.Error(), "rollout: "))
	}
	out := plan.Schedule(u, start).JSON()
	return &out, nil
}

// SimulateOptions are ringwise simulate's -seed, -runs and -memory; Runs
// 0 means 1, MemoryBudget 0 (bytes) means simulate.DefaultMemoryBudget,
// which under js/wasm is what fits the module's heap.
type SimulateOptions struct {
	Seed         Seed  `json:"seed"`
	Runs         int   `json:"runs"`
	MemoryBudget int64 `json:"memoryBudget"`
}

// Seed is a uint64 that JSON may give as a number or, for seeds beyond
// JavaScript's 2^53, as a decimal string.
type Seed uint64

// UnmarshalJSON accepts 42 and "42".
func (s *Seed) UnmarshalJSON(b []byte) error {
	text := strings.Trim(string(b), `"`)
	if text == "null" || text == "" {
		return nil
	}
	v, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return fmt.Errorf("seed must be a whole number in [0, 2^64), got %s", b)
	}
	*s = Seed(v)
	return nil
}

// SimulateResult is the report of ringwise simulate -json plus the first
// run's chart (SVG, as ringwise simulate -svg), its timeline as CSV (as
// ringwise simulate -csv) and the report for people (Text).
type SimulateResult struct {
	*simulate.Report
	SVG  string `json:"svg"`
	CSV  string `json:"csv"`
	Text string `json:"text"`
}

// Simulate replays the scenario source under the policy files. The
// scenario's policy attribute is ignored; its rollout attribute and its
// update's kind pick the rollout, as ringwise simulate does.
func Simulate(files map[string]string, scenario string, opts SimulateOptions) (*SimulateResult, *Failure) {
	return SimulateProgress(files, scenario, opts, nil)
}

// SimulateProgress is Simulate calling progress (when not nil) with the
// number of runs done, from 0 to the number asked for. The report is the
// one ringwise simulate prints: runs in order, each from SeedFor(seed, k).
func SimulateProgress(files map[string]string, scenario string, opts SimulateOptions, progress func(done, total int)) (*SimulateResult, *Failure) {
	runs := opts.Runs
	if runs == 0 {
		runs = 1
	}
	if runs < 1 || runs > MaxRuns {
		return nil, failf("runs must be in [1, %d], got %d", MaxRuns, runs)
	}
	sc, file, fail := parseScenario(scenario)
	if fail != nil {
		return nil, fail
	}
	// A scenario the heap cannot hold is refused before anything is
	// allocated, so the module lives on for the next call.
	budget := opts.MemoryBudget
	if budget <= 0 {
		budget = simulate.DefaultMemoryBudget
	}
	if diags := sc.CheckMemory(budget, 1); diags.HasErrors() {
		return nil, &Failure{Error: summary(diags), Diagnostics: render(map[string]*hcl.File{ScenarioFile: file}, diags)}
	}
	p, fail := loadOK(files)
	if fail != nil {
		return nil, fail
	}
	// The same choice, and the same located diagnostics, as ringwise
	// simulate: an update kind or urgency the policy does not define is
	// placed on the scenario's attribute.
	plan, pdiags := simulate.SelectPlan(p, sc)
	if pdiags.HasErrors() {
		files := map[string]*hcl.File{ScenarioFile: file}
		return nil, &Failure{Error: summary(pdiags), Diagnostics: render(files, pdiags), Problems: problems(fileSources(files), pdiags)}
	}
	sim, err := simulate.New(sc, plan, simulate.WithMemoryBudget(budget))
	if err != nil {
		return nil, failf("%v", err)
	}
	// Run by run, as MonteCarlo does with one worker (the browser has one
	// thread), to report progress between runs.
	results := make([]*simulate.Result, runs)
	for k := range runs {
		if progress != nil {
			progress(k, runs)
		}
		if results[k], err = sim.Run(context.Background(), simulate.SeedFor(uint64(opts.Seed), k)); err != nil {
			return nil, failf("%v", err)
		}
	}
	if progress != nil {
		progress(runs, runs)
	}
	rep := &simulate.Report{Scenario: sc.Name, Policy: plan.Name, Seed: uint64(opts.Seed), Runs: results, Aggregate: simulate.Aggregate(results)}
	var svg, csv, text bytes.Buffer
	if err := simulate.WriteSVG(&svg, sc, plan.Name, rep.Runs[0]); err != nil {
		return nil, failf("%v", err)
	}
	if err := simulate.WriteCSV(&csv, rep.Runs[0]); err != nil {
		return nil, failf("%v", err)
	}
	if err := simulate.WriteText(&text, sc, rep); err != nil {
		return nil, failf("%v", err)
	}
	return &SimulateResult{Report: rep, SVG: svg.String(), CSV: csv.String(), Text: text.String()}, nil
}

// parseScenario parses a scenario source named ScenarioFile.
func parseScenario(scenario string) (*simulate.Scenario, *hcl.File, *Failure) {
	src := []byte(scenario)
	sc, file, diags := simulate.ParseScenario(src, ScenarioFile)
	if file == nil {
		file = &hcl.File{Bytes: src}
	}
	if diags.HasErrors() {
		files := map[string]*hcl.File{ScenarioFile: file}
		return nil, nil, &Failure{Error: summary(diags), Diagnostics: render(files, diags), Problems: problems(fileSources(files), diags)}
	}
	return sc, file, nil
}

// CompareOptions are ringwise review's -seed and -runs; Runs 0 means
// review's default (20).
type CompareOptions struct {
	Seed Seed `json:"seed"`
	Runs int  `json:"runs"`
}

// CompareResult is the review of a policy change: the pull-request comment
// as ringwise review writes it (Markdown) and its report as JSON.
type CompareResult struct {
	Markdown string `json:"markdown"`
	Report   string `json:"report"`
}

// DecodeArg decodes the JSON text of argument what into v, with an error a
// person can act on. The JavaScript side passes JSON.stringify(arg).
func DecodeArg(what, text string, v any) error {
	if text == "" || text == "null" {
		return nil
	}
	err := json.Unmarshal([]byte(text), v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("%s: %s must be a %s, not a %s", what, te.Field, jsType(te.Type.Kind().String()), te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("%s must be %s, not a %s", what, describe(v), te.Value)
	default:
		return fmt.Errorf("%s: %v", what, err)
	}
}

func jsType(kind string) string {
	switch {
	case kind == "string":
		return "string"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	}
	return kind
}

func describe(v any) string {
	switch v.(type) {
	case *map[string]string:
		return "an object mapping file names to source strings"
	case *string:
		return "a string"
	}
	return "an object"
}

// load loads files as one in-memory policy directory. fail is set when
// files themselves are unusable (no files, a bad name).
func load(files map[string]string) (p *policy.Policy, diags hcl.Diagnostics, gates bool, fail *Failure) {
	if len(files) == 0 {
		return nil, nil, false, failf("no policy files: give an object such as {\"policy.hcl\": \"rollout ...\"}")
	}
	fsys := fstest.MapFS{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name == "" || strings.Contains(name, `\`) || !fs.ValidPath(name) || strings.Contains(name, "/") && !otherFileOK(name) {
			return nil, nil, false, failf("policy file name %q: want a plain file name such as policy.hcl", name)
		}
		if !policy.IsPolicyFile(name) && !otherFileOK(name) {
			return nil, nil, false, failf("policy file name %q: policy files end in .hcl or .hcl.json", name)
		}
		fsys[name] = &fstest.MapFile{Data: []byte(files[name]), Mode: 0o644}
	}
	loader, gateFiles := gateLoader()
	seen := &seenGates{GateLoader: loader}
	p, diags = policy.Load(fsys, policy.WithGateLoader(seen))
	maps.Copy(p.Files, gateFiles())
	return p, diags, seen.n > 0, nil
}

// seenGates counts the gate blocks a loader was asked to load.
type seenGates struct {
	policy.GateLoader
	n int
}

func (s *seenGates) LoadGate(fsys fs.FS, spec policy.GateSpec) (rollout.Gate, string, hcl.Diagnostics) {
	s.n++
	return s.GateLoader.LoadGate(fsys, spec)
}

// loadOK loads files and turns error diagnostics into a Failure.
func loadOK(files map[string]string) (*policy.Policy, *Failure) {
	p, diags, _, fail := load(files)
	if fail != nil {
		return nil, fail
	}
	if diags.HasErrors() {
		return nil, &Failure{Error: summary(diags), Diagnostics: render(p.Files, diags), Problems: problems(fileSources(p.Files), diags)}
	}
	return p, nil
}

// render writes diags as FILE:LINE:COL: message lines with source.
func render(files map[string]*hcl.File, diags hcl.Diagnostics) string {
	var b strings.Builder
	policy.WriteDiagnostics(&b, files, diags)
	return b.String()
}

// summary is the first error's first line, and how many more there are.
func summary(diags hcl.Diagnostics) string {
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	if len(errs) == 0 {
		return ""
	}
	line, _, _ := strings.Cut(render(nil, errs[:1]), "\n")
	switch n := len(errs) - 1; {
	case n == 1:
		line += " (and 1 more error)"
	case n > 1:
		line += fmt.Sprintf(" (and %d more errors)", n)
	}
	return line
}

// ScenarioResult is the result of CheckScenario: whether the scenario
// parses and, when it does, the update it releases (Release in RFC 3339,
// the start of its rollout), for planning what it would simulate.
type ScenarioResult struct {
	OK          bool      `json:"ok"`
	Name        string    `json:"name"`
	Rollout     string    `json:"rollout"`
	Kind        string    `json:"kind"`
	Urgency     string    `json:"urgency"`
	Release     string    `json:"release"`
	Error       string    `json:"error,omitempty"`
	Diagnostics string    `json:"diagnostics"`
	Problems    []Problem `json:"problems"`
}

// CheckScenario parses a scenario (named ScenarioFile in diagnostics).
func CheckScenario(source string) ScenarioResult {
	src := []byte(source)
	sc, file, diags := simulate.ParseScenario(src, ScenarioFile)
	if file == nil {
		file = &hcl.File{Bytes: src}
	}
	files := map[string]*hcl.File{ScenarioFile: file}
	r := ScenarioResult{OK: !diags.HasErrors(), Diagnostics: render(files, diags), Problems: problems(fileSources(files), diags)}
	if !r.OK || sc == nil {
		r.OK = false
		r.Error = summary(diags)
		return r
	}
	r.Name, r.Rollout, r.Kind, r.Urgency = sc.Name, sc.Rollout, sc.Update.Kind, sc.Update.Urgency
	if !sc.Update.Release.IsZero() {
		r.Release = sc.Update.Release.UTC().Format(time.RFC3339)
	}
	return r
}
