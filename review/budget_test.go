package review

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

func TestParseSuite(t *testing.T) {
	src := []byte(`scenario "a/scenario.hcl" {
  budget {
    failed       = 50
    failed_peak  = "2.5%"
    halted_after = "1h30m"
    rolled_back  = true
  }
  budget {
    quantile        = "max"
    host_hours_down = 0.5
  }
}
scenario "b" {}
`)
	s, _, diags := ParseSuite(src, "s.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	src1 := func(line, col int) rollout.Source { return rollout.Source{File: "s.hcl", Line: line, Column: col} }
	want := &Suite{Scenarios: []SuiteScenario{
		{Path: "a/scenario.hcl", Src: src1(1, 1), Budgets: []Budget{
			{Metric: "failed", Max: 50, Quantile: "p95", Src: src1(3, 5)},
			{Metric: "failed_peak", Max: 2.5, Percent: true, Quantile: "p95", Src: src1(4, 5)},
			{Metric: "halted_after_seconds", Max: 5400, Quantile: "p95", Src: src1(5, 5)},
			{Metric: "rolled_back", RolledBack: true, Quantile: "p95", Src: src1(6, 5)},
			{Metric: "host_hours_down", Max: 0.5, Quantile: "max", Src: src1(10, 5)},
		}},
		{Path: "b", Src: src1(13, 1)},
	}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("suite (-want +got):\n%s", diff)
	}
}

// TestParseSuiteErrors: every mistake is a diagnostic at its place.
func TestParseSuiteErrors(t *testing.T) {
	b := func(attrs string) string { return "scenario \"x\" {\n  budget {\n    " + attrs + "\n  }\n}\n" }
	for _, tc := range []struct{ src, want string }{
		{b(`failed = -1`), "s.hcl:3:14: Invalid budget: failed must be a finite number at least 0."},
		{b(`failed = "150%"`), "s.hcl:3:14: Invalid budget: failed must be a finite number at least 0 and at most 100%."},
		{b(`failed = "1e3%"`), `is not a percentage such as "0.1%"`},
		{b(`host_hours_down = "5%"`), "host_hours_down is a number of host-hours."},
		{b(`coverage_95 = 3600`), `coverage_95 is a duration, such as "30m" or "4h".`},
		{b(`coverage_95 = "soon"`), `coverage_95: invalid duration "soon"`},
		{b(`outage = "-5m"`), "a budget is not negative"},
		{b(`rolled_back = "no"`), "rolled_back is true (every run must roll back) or false (no run may)."},
		{b("quantile = \"p99\"\n    failed = 1"), `The quantile must be "p50", "p95" or "max".`},
		{b(""), "s.hcl:2:3: Empty budget"},
		{b(`faild = 3`), `"faild" is not a budget. Did you mean "failed"?`},
		{b(`xyzzy = 3`), `"xyzzy" is not a budget; a budget block sets exposed, failed,`},
		{b(`failed = var.x`), "Variables not allowed"},
		{`scenario "x" {}
scenario "x" {}`, "s.hcl:2:10: Invalid scenario path: The scenario path is listed twice"},
		{`scenario "" {}`, "The scenario path is empty"},
		{`suite {}`, `Unsupported block type: Blocks of type "suite" are not expected here.`},
		{`scenario "x" { runs = 3 }`, `Unsupported argument: An argument named "runs" is not expected here.`},
		{`scenario "x" {`, "Unclosed configuration block"},
		{strings.Repeat("[", 5000), "nest"},
	} {
		_, file, diags := ParseSuite([]byte(tc.src), "s.hcl")
		if !diags.HasErrors() {
			t.Errorf("%q: no error, want %q", tc.src, tc.want)
			continue
		}
		var out bytes.Buffer
		policy.WriteDiagnostics(&out, map[string]*hcl.File{"s.hcl": file}, diags)
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%q:\n%s\nwant %q", tc.src, out.String(), tc.want)
		}
	}
	if _, _, diags := ParseSuite(bytes.Repeat([]byte("#"), MaxSuiteSize+1), "big.hcl"); !diags.HasErrors() || !strings.Contains(diags.Error(), "Suite file too large") {
		t.Errorf("a suite over the limit: %v", diags)
	}
}

func FuzzParseSuite(f *testing.F) {
	f.Add([]byte(`scenario "a" { budget { failed = "1%" coverage_95 = "2h" rolled_back = false quantile = "max" } }`))
	f.Add([]byte(`scenario "a" { budget { failed = 1e308 } }`))
	f.Add([]byte(`scenario "a" { budget { failed = "0.%" } }`))
	f.Add([]byte(`scenario "a" { budget { halted_after = "99999999d" } }`))
	f.Add([]byte("scenario \"\xff\" {}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, file, diags := ParseSuite(src, "f.hcl")
		var b bytes.Buffer
		policy.WriteDiagnostics(&b, map[string]*hcl.File{"f.hcl": file}, diags)
		if diags.HasErrors() {
			return
		}
		for _, sc := range s.Scenarios {
			for _, bg := range sc.Budgets {
				if bg.Max < 0 || bg.Max != bg.Max || bg.Percent && bg.Max > 100 {
					t.Fatalf("accepted budget %+v", bg)
				}
			}
		}
	})
}

// TestCheckBudgets: a percentage is of whole hosts, a time never reached
// violates, and rolled_back counts runs.
func TestCheckBudgets(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	side := func(failed, cov95 *float64, rolledBack int) *SideReport {
		return &SideReport{RolledBackRuns: rolledBack, runs: make([]*simulate.Result, 4),
			Aggregate: map[string]simulate.Quantiles{
				"failed":              {P50: failed, P95: failed, Max: failed},
				"coverage_95_seconds": {P50: cov95, P95: cov95, Max: cov95},
			}}
	}
	sr := &ScenarioReport{Hosts: 9_856_123, Base: side(f(5000), f(600), 0), Head: side(f(986), nil, 4)}
	got := checkBudgets([]Budget{
		{Metric: "failed", Max: 0.01, Percent: true, Quantile: "p95"},
		{Metric: "failed", Max: 986, Quantile: "p50"},
		{Metric: "coverage_95_seconds", Max: 3600, Quantile: "p95"},
		{Metric: "rolled_back", RolledBack: true, Quantile: "p95"},
		{Metric: "rolled_back", Quantile: "p95"},
	}, sr)
	want := []BudgetResult{
		{Metric: "failed", Quantile: "p95", Limit: 985, Text: "hosts failed ≤ 985 (0.01%)", Base: f(5000), Head: f(986), OK: false},
		{Metric: "failed", Quantile: "p50", Limit: 986, Text: "hosts failed ≤ 986", Base: f(5000), Head: f(986), OK: true},
		{Metric: "coverage_95_seconds", Quantile: "p95", Limit: 3600, Text: "95% protected by +1h00m", Base: f(600), OK: false},
		{Metric: "rolled_back", Quantile: "p95", Limit: 1, Text: "every run rolls back", Base: f(0), Head: f(4), OK: true},
		{Metric: "rolled_back", Quantile: "p95", Text: "no run rolls back", Base: f(0), Head: f(4), OK: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("budgets (-want +got):\n%s", diff)
	}
}
