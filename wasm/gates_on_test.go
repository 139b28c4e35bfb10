//go:build ringwise_gates

package main

import (
	"os"
	"strings"
	"testing"
)

func gatedFiles(t *testing.T) map[string]string {
	return map[string]string{
		"gated.hcl":           example(t, "gated.hcl"),
		"gates/freeze.rego":   example(t, "gates/freeze.rego"),
		"gates/holidays.json": example(t, "gates/holidays.json"),
	}
}

// The gates module runs the page's gated example as the CLI does: the
// freeze holds the rollout on the holiday the scenario starts on.
func TestGatedExample(t *testing.T) {
	files := gatedFiles(t)
	if r := Check(files); !r.OK || !r.Gates {
		t.Fatalf("Check = %+v", r)
	}
	r, fail := Simulate(files, example(t, "scenario.hcl"), SimulateOptions{Seed: 1})
	if fail != nil {
		t.Fatal(fail.Error, fail.Diagnostics)
	}
	first := r.Runs[0].Decisions[0]
	if first.Action != "hold" || len(first.Reasons) == 0 || !strings.Contains(first.Reasons[0], "change freeze: 2024-07-19 is a company holiday") {
		t.Errorf("first decision = %+v, want the freeze's hold", first)
	}
}

// A Rego error is a problem placed in the Rego file.
func TestGateRegoError(t *testing.T) {
	files := gatedFiles(t)
	files["gates/freeze.rego"] = strings.Replace(files["gates/freeze.rego"], "frozen if today in data.holidays.days", "frozen if today in ", 1)
	r := Check(files)
	if r.OK {
		t.Fatal("Check accepted broken Rego")
	}
	found := false
	for _, p := range r.Problems {
		found = found || p.File == "gates/freeze.rego" && p.Line > 0
	}
	if !found {
		t.Errorf("no problem placed in gates/freeze.rego: %+v\n%s", r.Problems, r.Diagnostics)
	}
}

// The page's Rego module is the repository's.
func TestFreezeCopyMatchesExamples(t *testing.T) {
	want, err := os.ReadFile("../examples/policies/gates/freeze.rego")
	if err != nil {
		t.Fatal(err)
	}
	if got := example(t, "gates/freeze.rego"); got != string(want) {
		t.Error("wasm/web/examples/gates/freeze.rego differs from examples/policies/gates/freeze.rego: copy it again")
	}
}

// Compare gives the pull-request comment of ringwise review: the change
// from all at once to the recommended policy shrinks the blast radius.
func TestCompare(t *testing.T) {
	base := map[string]string{"all-at-once.hcl": example(t, "all-at-once.hcl")}
	head := map[string]string{"recommended.hcl": example(t, "recommended.hcl")}
	var calls int
	r, fail := Compare(base, head, example(t, "scenario.hcl"), CompareOptions{Seed: 1, Runs: 6}, func(done, total int) {
		calls++
		if total != 12 {
			t.Errorf("progress total %d, want 12 runs", total)
		}
	})
	if fail != nil {
		t.Fatal(fail.Error)
	}
	for _, want := range []string{"<!-- ringwise-review -->\n## ringwise review: `all-at-once.hcl` → `recommended.hcl`", "✅ **Better**", "| hosts failed |"} {
		if !strings.Contains(r.Markdown, want) {
			t.Errorf("markdown lacks %q:\n%.600s", want, r.Markdown)
		}
	}
	if !strings.HasPrefix(r.Report, "{") || calls != 12 {
		t.Errorf("report %.80q, %d progress calls", r.Report, calls)
	}
	if _, fail := Compare(base, map[string]string{"p.hcl": "rollout {"}, example(t, "scenario.hcl"), CompareOptions{}, nil); fail == nil || fail.Problems == nil {
		t.Errorf("a broken head: %+v", fail)
	}
}
