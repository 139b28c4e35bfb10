package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/rollout"
)

func example(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("web/examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// position matches a rendered diagnostic's FILE:LINE:COL prefix.
func position(file string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(file) + `:[0-9]+:[0-9]+: `)
}

func TestCheckExamples(t *testing.T) {
	r := Check(map[string]string{
		"recommended.hcl": example(t, "recommended.hcl"),
		"all-at-once.hcl": example(t, "all-at-once.hcl"),
	})
	if !r.OK || r.Error != "" || r.Diagnostics != "" {
		t.Fatalf("Check = %+v, want ok without diagnostics", r)
	}
	// Files load in name order, as from a directory.
	if want := []string{"all-at-once", "recommended"}; !slices.Equal(r.Rollouts, want) {
		t.Errorf("rollouts = %q, want %q", r.Rollouts, want)
	}
}

func TestCheckErrors(t *testing.T) {
	src := strings.Replace(example(t, "recommended.hcl"), `bake        = "20m"`, `bake        = "20 minutes"`, 1)
	r := Check(map[string]string{"p.hcl": src})
	if r.OK {
		t.Fatal("Check accepted a bad bake")
	}
	if !position("p.hcl").MatchString(r.Diagnostics) || !strings.Contains(r.Diagnostics, `"20 minutes"`) ||
		!strings.Contains(r.Diagnostics, "^^^") {
		t.Errorf("diagnostics want p.hcl:LINE:COL, the source line and carets:\n%s", r.Diagnostics)
	}
	if !position("p.hcl").MatchString(r.Error) || strings.Contains(r.Error, "\n") {
		t.Errorf("error = %q, want the first diagnostic's line", r.Error)
	}
	if r.Rollouts == nil {
		t.Error("rollouts is nil, want [] so that JavaScript gets an array")
	}

	r = Check(map[string]string{"p.hcl": "rollout \"x\" {\n  ring \"a\" {\n"})
	if r.OK || !position("p.hcl").MatchString(r.Diagnostics) {
		t.Errorf("unclosed block: %+v", r)
	}
}

func TestCheckBadFiles(t *testing.T) {
	for _, files := range []map[string]string{
		nil,
		{"dir/p.hcl": "x"},
		{`dir\p.hcl`: "x"},
		{"../p.hcl": "x"},
		{"notes.txt": "x"},
		{"": "x"},
	} {
		r := Check(files)
		if r.OK || r.Error == "" {
			t.Errorf("Check(%q) = %+v, want an error", files, r)
		}
	}
}

func TestFormat(t *testing.T) {
	out, fail := Format("p.hcl", "rollout \"x\" {\nring \"a\" {\nsteps = [100]\nbake = \"1h\"\n}\n}\n")
	if fail != nil {
		t.Fatal(fail)
	}
	want := "rollout \"x\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n}\n"
	if out.Source != want {
		t.Errorf("Format:\n%s\nwant:\n%s", out.Source, want)
	}
	_, fail = Format("p.hcl", "rollout \"x\" {\n  steps = [\n")
	if fail == nil || !position("p.hcl").MatchString(fail.Diagnostics) {
		t.Errorf("Format of broken source: %+v", fail)
	}
}

func TestPlan(t *testing.T) {
	files := map[string]string{"recommended.hcl": example(t, "recommended.hcl")}
	p, fail := Plan(files, PlanOptions{Kind: "content", Start: "2026-12-18T09:00:00Z"})
	if fail != nil {
		t.Fatal(fail)
	}
	if p.Rollout != "recommended" || p.Start != "2026-12-18T09:00:00Z" || len(p.Steps) < 3 {
		t.Fatalf("Plan = %+v", p)
	}
	first := p.Steps[0]
	if first.Ring != "canary" || first.Percent != 100 || first.OffsetSeconds != 0 || first.Start != p.Start {
		t.Errorf("first step = %+v", first)
	}
	if p.Steps[1].OffsetSeconds != 20*60 {
		t.Errorf("second step after %ds, want the canary's 20m bake", p.Steps[1].OffsetSeconds)
	}
	// The shape of ringwise plan -json, key for key.
	b, _ := json.Marshal(p)
	var m map[string]any
	json.Unmarshal(b, &m)
	keys := func(m map[string]any) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	if got := keys(m); !slices.Equal(got, []string{"complete", "rollout", "start", "steps"}) {
		t.Errorf("plan keys = %q", got)
	}
	step := m["steps"].([]any)[0].(map[string]any)
	if got := keys(step); !slices.Equal(got, []string{"bake_seconds", "notes", "offset_seconds", "percent", "ring", "start", "step"}) {
		t.Errorf("step keys = %q", got)
	}
	// Bake and notes, as the CLI's table shows them.
	if diff := cmp.Diff(rollout.ScheduleStepJSON{Ring: "canary", Step: 1, Percent: 100, Start: p.Start, BakeSeconds: 20 * 60, Notes: []string{"cover os_build"}}, first); diff != "" {
		t.Errorf("first step (-want +got):\n%s", diff)
	}
	last := p.Steps[len(p.Steps)-1]
	if !slices.Equal(last.Notes, []string{"release: tenant cap lifted"}) {
		t.Errorf("last step notes = %q", last.Notes)
	}

	emergency, fail := Plan(files, PlanOptions{Urgency: "emergency", Start: "2026-12-18T09:00:00Z"})
	if fail != nil || emergency.Steps[1].OffsetSeconds != 10*60 {
		t.Errorf("emergency plan = %+v, %v; want bakes halved", emergency, fail)
	}
	for _, opts := range []PlanOptions{{Urgency: "urgent"}, {Rollout: "nope"}, {Start: "tomorrow"}} {
		if _, fail := Plan(files, opts); fail == nil || fail.Error == "" {
			t.Errorf("Plan(%+v) did not fail", opts)
		}
	}
}

func TestSimulateDeterministic(t *testing.T) {
	files := map[string]string{"recommended.hcl": example(t, "recommended.hcl")}
	sc := example(t, "scenario.hcl")
	run := func(seed Seed, runs int) string {
		r, fail := Simulate(files, sc, SimulateOptions{Seed: seed, Runs: runs})
		if fail != nil {
			t.Fatal(fail.Error, fail.Diagnostics)
		}
		if !strings.HasPrefix(r.SVG, "<svg") || !strings.Contains(r.Text, `under rollout "recommended"`) {
			t.Errorf("svg or text missing:\n%.200s\n%.200s", r.SVG, r.Text)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b := run(1, 1), run(1, 1)
	if a != b {
		t.Fatal("two simulations with seed 1 differ")
	}
	var rep struct {
		Scenario string `json:"scenario"`
		Policy   string `json:"policy"`
		Seed     uint64 `json:"seed"`
		Runs     []struct {
			Hosts      int  `json:"hosts"`
			Failed     int  `json:"failed"`
			RolledBack bool `json:"rolled_back"`
		} `json:"runs"`
		Aggregate map[string]any `json:"aggregate"`
	}
	if err := json.Unmarshal([]byte(a), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Scenario != "crowdstrike-2024-small" || rep.Policy != "recommended" || rep.Seed != 1 || len(rep.Runs) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	// The canary catches it: only the vendor's own 80 hosts fail.
	if r := rep.Runs[0]; r.Hosts != 19800 || r.Failed > 80 || !r.RolledBack {
		t.Errorf("run = %+v, want at most the 80 canary hosts failed and a rollback", r)
	}
	if len(rep.Aggregate) == 0 {
		t.Error("no aggregate")
	}
	if c, d := run(2, 3), run(2, 3); c != d {
		t.Error("Monte Carlo with seed 2 is not deterministic")
	}
}

func TestSimulateErrors(t *testing.T) {
	files := map[string]string{"recommended.hcl": example(t, "recommended.hcl")}
	sc := example(t, "scenario.hcl")
	_, fail := Simulate(files, strings.Replace(sc, `horizon     = "14d"`, `horizon     = 14`, 1), SimulateOptions{Seed: 1})
	if fail == nil || !position(ScenarioFile).MatchString(fail.Diagnostics) {
		t.Errorf("bad horizon: %+v", fail)
	}
	_, fail = Simulate(map[string]string{"p.hcl": `rollout "x" {`}, sc, SimulateOptions{Seed: 1})
	if fail == nil || !position("p.hcl").MatchString(fail.Diagnostics) {
		t.Errorf("bad policy: %+v", fail)
	}
	_, fail = Simulate(files, sc, SimulateOptions{Runs: MaxRuns + 1})
	if fail == nil {
		t.Error("too many runs accepted")
	}
	// Two rollouts that both apply to every kind: the scenario must pick.
	files["all-at-once.hcl"] = example(t, "all-at-once.hcl")
	if _, fail = Simulate(files, sc, SimulateOptions{}); fail == nil || !strings.Contains(fail.Error, "all apply") {
		t.Errorf("ambiguous policy: %+v", fail)
	}
	r, fail := Simulate(files, strings.Replace(sc, `policy      =`, `rollout = "all-at-once"
  policy      =`, 1), SimulateOptions{})
	if fail != nil || r.Policy != "all-at-once" {
		t.Errorf("rollout attribute: %+v %+v", r, fail)
	}
}

func TestDecodeArg(t *testing.T) {
	var files map[string]string
	if err := DecodeArg("files", `{"a.hcl": "x"}`, &files); err != nil || files["a.hcl"] != "x" {
		t.Errorf("files: %v %v", files, err)
	}
	if err := DecodeArg("files", `{"a.hcl": 3}`, &files); err == nil {
		t.Error("a number as source accepted")
	}
	if err := DecodeArg("files", `"x"`, &files); err == nil || !strings.Contains(err.Error(), "object mapping file names") {
		t.Errorf("string as files: %v", err)
	}
	var o SimulateOptions
	if err := DecodeArg("options", `{"seed": "18446744073709551615", "runs": 2}`, &o); err != nil || o.Seed != 1<<64-1 || o.Runs != 2 {
		t.Errorf("seed as string: %+v %v", o, err)
	}
	if err := DecodeArg("options", `{"seed": 7}`, &o); err != nil || o.Seed != 7 {
		t.Errorf("seed as number: %+v %v", o, err)
	}
	if err := DecodeArg("options", `{"seed": -1}`, &o); err == nil {
		t.Error("negative seed accepted")
	}
	var p PlanOptions
	if err := DecodeArg("options", `{"kind": 3}`, &p); err == nil || !strings.Contains(err.Error(), "kind must be a string") {
		t.Errorf("kind as number: %v", err)
	}
	if err := DecodeArg("options", ``, &p); err != nil {
		t.Errorf("missing options: %v", err)
	}
}

// The playground's copy of recommended.hcl says what the repository's says:
// the same rules (plan digest), whatever its comments.
func TestRecommendedCopyMatchesExamples(t *testing.T) {
	want, err := os.ReadFile("../examples/policies/recommended.hcl")
	if err != nil {
		t.Fatal(err)
	}
	digest := func(src string) string {
		p, f := loadOK(map[string]string{"recommended.hcl": src})
		if f != nil {
			t.Fatalf("recommended.hcl does not load: %v", f)
		}
		pl, ok := p.Plan("recommended")
		if !ok {
			t.Fatal("no rollout named recommended")
		}
		return pl.Digest()
	}
	if got, want := digest(example(t, "recommended.hcl")), digest(string(want)); got != want {
		t.Errorf("wasm/web/examples/recommended.hcl has drifted from examples/policies/recommended.hcl (digest %s, want %s)", got, want)
	}
}

// TestSimulateTooLarge: a scenario within the language's limits (10M
// hosts, 10M tenants) that the heap cannot hold is refused at its tenants
// attribute before anything is allocated, and the next call works.
func TestSimulateTooLarge(t *testing.T) {
	files := map[string]string{"recommended.hcl": example(t, "recommended.hcl")}
	sc := example(t, "scenario.hcl")
	huge := regexp.MustCompile(`hosts( *)= [0-9_]+`).ReplaceAllString(sc, "hosts$1= 10000000\n      tenants = 10000000")
	huge = regexp.MustCompile(`(?m)^\s*tenants\s*=\s*[0-9]+\s*$\n`).ReplaceAllStringFunc(huge, func(s string) string {
		if strings.Contains(s, "10000000") {
			return s
		}
		return ""
	})
	_, fail := Simulate(files, huge, SimulateOptions{Seed: 1, MemoryBudget: 1 << 30})
	if fail == nil || !strings.Contains(fail.Diagnostics, "Scenario too large for the memory budget") || !position(ScenarioFile).MatchString(fail.Diagnostics) {
		t.Fatalf("huge scenario: %+v", fail)
	}
	if r, fail := Simulate(files, sc, SimulateOptions{Seed: 1}); fail != nil || len(r.Runs) != 1 {
		t.Errorf("the next call: %+v", fail)
	}
}
