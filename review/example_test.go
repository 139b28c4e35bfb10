package review_test

import (
	"context"
	"fmt"
	"os"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/review"
	"github.com/ringwise/ringwise/simulate"
)

func load(src string) *policy.Policy {
	p, diags := policy.Load(fstest.MapFS{"policy.hcl": {Data: []byte(src)}})
	if diags.HasErrors() {
		panic(diags.Error())
	}
	return p
}

// Compare a change that halves the canary bake on a scenario, and check a
// budget.
func ExampleCompare() {
	base := load(`rollout "content" {
  ring "canary" {
    steps = [10, 100]
    bake  = "1h"
  }
}`)
	head := load(`rollout "content" {
  ring "canary" {
    steps = [10, 100]
    bake  = "30m"
  }
}`)
	sc, _, diags := simulate.ParseScenario([]byte(`scenario "good" {
  policy  = "unused.hcl"
  horizon = "12h"
  fleet {
    cohort "all" {
      hosts    = 500
      check_in = "10m"
    }
  }
  update {
    id      = "u1"
    kind    = "content"
    release = "2026-03-02T09:00:00Z"
  }
  telemetry {
    interval = "5m"
  }
}`), "good.hcl")
	if diags.HasErrors() {
		panic(diags.Error())
	}
	rep, err := review.Compare(context.Background(), []review.Case{{
		Path:     "good.hcl",
		Scenario: sc,
		Base:     review.Side{Label: "main", Policy: base},
		Head:     review.Side{Label: "pr", Policy: head},
		Budgets:  []review.Budget{{Metric: "coverage_95_seconds", Max: 2 * 3600, Quantile: "p95"}},
	}}, review.Options{Runs: 10, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Verdict)
	for _, c := range rep.Diffs[0].Changes {
		fmt.Println(c.Path, c.Old, "->", c.New, "at", c.NewAt)
	}
	sr := rep.Scenarios[0]
	for _, m := range sr.Metrics {
		if m.Metric == "coverage_95_seconds" {
			fmt.Printf("95%% protected: %s\n", m.Change)
		}
	}
	fmt.Printf("%s: ok %v\n", sr.Budgets[0].Text, sr.Budgets[0].OK)
	// Output:
	// better
	// [rollout "content" ring "canary" bake] "1h" -> "30m" at policy.hcl:4
	// 95% protected: better
	// 95% protected by +2h00m: ok true
}

// ParseSuite reports problems as diagnostics with FILE:LINE:COL.
func ExampleParseSuite_error() {
	src := []byte(`scenario "bad-push/scenario.hcl" {
  budget {
    failed  = "lots"
    coverage95 = "2h"
  }
}
`)
	_, file, diags := review.ParseSuite(src, "suite.hcl")
	policy.WriteDiagnostics(os.Stdout, map[string]*hcl.File{"suite.hcl": file}, diags)
	// Output:
	// suite.hcl:3:15: Invalid budget: failed is a number of hosts, or a percentage of the scenario's hosts such as "0.1%".
	//         failed  = "lots"
	//                   ^^^^^^
	// suite.hcl:4:5: Unknown budget: "coverage95" is not a budget. Did you mean "coverage_95"?
	//         coverage95 = "2h"
	//         ^^^^^^^^^^
}

// Diff compares two policies rule by rule; the same rules written another
// way are a reformat.
func ExampleDiff() {
	base := load(`rollout "content" {
  ring "canary" {
    steps = [10, 100]
    bake  = "1h"
  }
  trigger "crashes" {
    signal = "crash"
    above  = 0.01
    action = "halt"
  }
}`)
	head := load(`rollout "content" {
  ring "canary" {
    steps      = [5, 50, 100]
    bake       = "1h"
    tenant_cap = 25
  }
  trigger "crashes" {
    signal  = "crash"
    against = "baseline"
    ratio   = 2
    action  = "rollback"
  }
}`)
	d := review.Diff(review.Side{Label: "main", Policy: base}, review.Side{Label: "pr", Policy: head})
	fmt.Println(d.Status)
	for _, c := range d.Changes {
		fmt.Printf("%v: %s (%s) -> %s (%s)\n", c.Path[1:], c.Old, c.OldAt, c.New, c.NewAt)
	}
	reformatted := load(`rollout "content" {
  ring "canary" {
    bake  = "60m"      # the same hour
    steps = [10, 100]
  }
  trigger "crashes" {
    action = "halt"
    signal = "crash"
    above  = 0.01
  }
}`)
	d = review.Diff(review.Side{Label: "main", Policy: base}, review.Side{Label: "pr", Policy: reformatted})
	fmt.Println(d.Status, d.Files)
	// Output:
	// changed
	// [ring "canary" steps]: [10, 100] (policy.hcl:3) -> [5, 50, 100] (policy.hcl:3)
	// [ring "canary" tenant_cap]: unset (policy.hcl:2) -> 25 (policy.hcl:5)
	// [trigger "crashes" above]: 0.01 (policy.hcl:8) -> unset (policy.hcl:7)
	// [trigger "crashes" against]: unset (policy.hcl:6) -> "baseline" (policy.hcl:9)
	// [trigger "crashes" ratio]: unset (policy.hcl:6) -> 2 (policy.hcl:10)
	// [trigger "crashes" action]: "halt" (policy.hcl:9) -> "rollback" (policy.hcl:11)
	// reformatted 1
}
