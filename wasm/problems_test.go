package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/simulate"
)

func TestProblemsPlaceDiagnostics(t *testing.T) {
	src := "# 🚀 café\nrollout \"x\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"soon\"\n  }\n}\n"
	r := Check(map[string]string{"p.hcl": src})
	if r.OK || len(r.Problems) == 0 {
		t.Fatalf("Check = %+v", r)
	}
	got := r.Problems[0]
	got.Message = "" // the loader's wording is its own
	// "🚀" is two UTF-16 code units and four bytes; "é" one and two.
	want := Problem{File: "p.hcl", Severity: "error", Line: 5, Column: 13, From: 67, To: 73}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problem (-want +got):\n%s", diff)
	}
	if s := []rune(src); string(utf16Slice(s, want.From, want.To)) != `"soon"` {
		t.Errorf("From..To is %q", string(utf16Slice(s, want.From, want.To)))
	}
}

// utf16Slice returns the runes of s between UTF-16 offsets from and to.
func utf16Slice(s []rune, from, to int) []rune {
	var out []rune
	n := 0
	for _, r := range s {
		if n >= from && n < to {
			out = append(out, r)
		}
		n++
		if r > 0xffff {
			n++
		}
	}
	return out
}

func TestCheckScenario(t *testing.T) {
	got := CheckScenario(example(t, "scenario.hcl"))
	got.Problems, got.Diagnostics = nil, ""
	want := ScenarioResult{OK: true, Name: "crowdstrike-2024-small", Kind: "content", Release: "2024-07-19T04:09:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CheckScenario (-want +got):\n%s", diff)
	}
	bad := CheckScenario("scenario \"x\" {\n  horizon = 14\n")
	if bad.OK || len(bad.Problems) == 0 || bad.Problems[0].File != ScenarioFile || bad.Error == "" {
		t.Errorf("CheckScenario of a broken scenario = %+v", bad)
	}
}

// SimulateProgress runs run by run to report progress; its report must be
// the one MonteCarlo (and so ringwise simulate) gives.
func TestSimulateProgressIsMonteCarlo(t *testing.T) {
	files := map[string]string{"recommended.hcl": example(t, "recommended.hcl")}
	src := example(t, "scenario.hcl")
	var calls [][2]int
	r, fail := SimulateProgress(files, src, SimulateOptions{Seed: 7, Runs: 3}, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if fail != nil {
		t.Fatal(fail.Error)
	}
	if diff := cmp.Diff([][2]int{{0, 3}, {1, 3}, {2, 3}, {3, 3}}, calls); diff != "" {
		t.Errorf("progress calls (-want +got):\n%s", diff)
	}
	sc, _, diags := simulate.ParseScenario([]byte(src), ScenarioFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p, fail := loadOK(files)
	if fail != nil {
		t.Fatal(fail.Error)
	}
	plan, err := p.Select(sc.Update.Kind, sc.Rollout)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := simulate.New(sc, plan)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sim.MonteCarlo(context.Background(), 7, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(r.Report)
	if string(wj) != string(gj) {
		t.Errorf("SimulateProgress's report differs from MonteCarlo's:\n%.300s\n%.300s", gj, wj)
	}
}

func ExampleCheck() {
	r := Check(map[string]string{"p.hcl": "rollout \"x\" {\n  ring \"a\" {\n    steps = [100, 50]\n    bake  = \"1h\"\n  }\n}\n"})
	p := r.Problems[0]
	fmt.Println(r.OK, p.File, p.Line, p.Column, p.Severity)
	// Output: false p.hcl 3 19 error
}
