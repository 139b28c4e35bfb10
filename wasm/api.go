// Command wasm is the browser build of ringwise: compiled with GOOS=js
// GOARCH=wasm it registers a global object ringwise whose functions check,
// format, plan and simulate policies given as strings (see README.md).
//
// This file holds the whole API as plain Go, without build tags, so that it
// is tested natively (go test ./wasm); main_js.go only converts JavaScript
// values to and from JSON. Rego gates are not available here: OPA would add
// tens of megabytes to the download, so a gate block is a diagnostic that
// sends the user to the CLI.
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
	Error       string `json:"error"`
	Diagnostics string `json:"diagnostics,omitempty"`
}

func failf(format string, args ...any) *Failure {
	return &Failure{Error: fmt.Sprintf(format, args...)}
}

// CheckResult is the result of Check. Diagnostics holds warnings when OK,
// errors (and warnings) when not; Error then summarises them.
type CheckResult struct {
	OK          bool     `json:"ok"`
	Rollouts    []string `json:"rollouts"`
	Tenants     int      `json:"tenants"`
	Error       string   `json:"error,omitempty"`
	Diagnostics string   `json:"diagnostics"`
}

// Check loads files (name to source) as one policy directory.
func Check(files map[string]string) CheckResult {
	p, diags, fail := load(files)
	if fail != nil {
		return CheckResult{Rollouts: []string{}, Error: fail.Error, Diagnostics: fail.Diagnostics}
	}
	r := CheckResult{OK: !diags.HasErrors(), Rollouts: []string{}, Tenants: len(p.Tenants), Diagnostics: render(p.Files, diags)}
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
		return nil, &Failure{Error: summary(diags), Diagnostics: render(map[string]*hcl.File{name: {Bytes: src}}, diags)}
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
// run's chart (SVG) and the report for people (Text).
type SimulateResult struct {
	*simulate.Report
	SVG  string `json:"svg"`
	Text string `json:"text"`
}

// Simulate replays the scenario source under the policy files. The
// scenario's policy attribute is ignored; its rollout attribute and its
// update's kind pick the rollout, as ringwise simulate does.
func Simulate(files map[string]string, scenario string, opts SimulateOptions) (*SimulateResult, *Failure) {
	runs := opts.Runs
	if runs == 0 {
		runs = 1
	}
	if runs < 1 || runs > MaxRuns {
		return nil, failf("runs must be in [1, %d], got %d", MaxRuns, runs)
	}
	src := []byte(scenario)
	sc, file, diags := simulate.ParseScenario(src, ScenarioFile)
	if diags.HasErrors() {
		if file == nil {
			file = &hcl.File{Bytes: src}
		}
		return nil, &Failure{Error: summary(diags), Diagnostics: render(map[string]*hcl.File{ScenarioFile: file}, diags)}
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
	plan, err := p.Select(sc.Update.Kind, sc.Rollout)
	if err != nil {
		return nil, failf("%s", strings.TrimPrefix(err.Error(), "policy: "))
	}
	sim, err := simulate.New(sc, plan, simulate.WithMemoryBudget(budget))
	if err != nil {
		return nil, failf("%v", err)
	}
	// One worker: the browser has one thread, and the report does not
	// depend on the number of workers.
	rep, err := sim.MonteCarlo(context.Background(), uint64(opts.Seed), runs, 1)
	if err != nil {
		return nil, failf("%v", err)
	}
	var svg, text bytes.Buffer
	if err := simulate.WriteSVG(&svg, sc, plan.Name, rep.Runs[0]); err != nil {
		return nil, failf("%v", err)
	}
	if err := simulate.WriteText(&text, sc, rep); err != nil {
		return nil, failf("%v", err)
	}
	return &SimulateResult{Report: rep, SVG: svg.String(), Text: text.String()}, nil
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

// gatesInCLI is the GateLoader of the browser: every gate is an error that
// says where gates do run.
type gatesInCLI struct{}

func (gatesInCLI) LoadGate(_ fs.FS, spec policy.GateSpec) (rollout.Gate, string, hcl.Diagnostics) {
	rng := spec.Range
	return nil, "", hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Rego gates run in the CLI",
		Detail: fmt.Sprintf("Gate %q needs OPA, which the browser playground leaves out; "+
			"remove the gate block to try the rest of the policy here, and use ringwise check, plan and simulate for gated policies.", spec.Name),
		Subject: &rng,
	}}
}

// load loads files as one in-memory policy directory. fail is set when
// files themselves are unusable (no files, a bad name).
func load(files map[string]string) (*policy.Policy, hcl.Diagnostics, *Failure) {
	if len(files) == 0 {
		return nil, nil, failf("no policy files: give an object such as {\"policy.hcl\": \"rollout ...\"}")
	}
	fsys := fstest.MapFS{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name == "" || strings.ContainsAny(name, `/\`) || !fs.ValidPath(name) {
			return nil, nil, failf("policy file name %q: want a plain file name such as policy.hcl", name)
		}
		if !policy.IsPolicyFile(name) {
			return nil, nil, failf("policy file name %q: policy files end in .hcl or .hcl.json", name)
		}
		fsys[name] = &fstest.MapFile{Data: []byte(files[name]), Mode: 0o644}
	}
	p, diags := policy.Load(fsys, policy.WithGateLoader(gatesInCLI{}))
	return p, diags, nil
}

// loadOK loads files and turns error diagnostics into a Failure.
func loadOK(files map[string]string) (*policy.Policy, *Failure) {
	p, diags, fail := load(files)
	if fail != nil {
		return nil, fail
	}
	if diags.HasErrors() {
		return nil, &Failure{Error: summary(diags), Diagnostics: render(p.Files, diags)}
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
