package simulate_test

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

const exampleScenario = `
scenario "bad-build" {
  policy  = "policy.hcl"
  horizon = "6h"
  fleet {
    cohort "canary" {
      hosts    = 20
      labels   = { channel = "internal" }
      check_in = "5m"
    }
    cohort "fleet" {
      hosts    = 2000
      labels   = { channel = "stable" }
      check_in = "15m"
      jitter   = "5m"
    }
  }
  update {
    id      = "c-292"
    kind    = "content"
    release = "2026-11-24T09:00:00Z"
  }
  fault "boot-loop" {
    latency = "1m"
    mode    = "boot_loop"
  }
}
`

func examplePlan() *rollout.Plan {
	plan, err := rollout.Compile(rollout.Plan{
		Name: "staged",
		Rings: []rollout.Ring{
			{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * 60e9},
			{Name: "broad", Steps: []float64{10, 100}, Bake: 60 * 60e9},
		},
		Triggers: []rollout.Trigger{{Name: "went-quiet", Kind: rollout.Silence, Threshold: 0.05, Action: rollout.Rollback}},
	})
	if err != nil {
		panic(err)
	}
	return plan
}

// Replay a boot-looping update under a staged plan: the canary goes
// quiet, the silence trigger rolls back, the fleet is spared.
func ExampleRun() {
	sc, _, diags := simulate.ParseScenario([]byte(exampleScenario), "scenario.hcl")
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	res, err := simulate.Run(context.Background(), sc, examplePlan(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("exposed %d, failed %d of %d hosts; rolled back: %t after %s\n",
		res.Exposed, res.Failed, res.Hosts, res.RolledBack, simulate.Clock(*res.HaltedAfter))
	for _, d := range res.Decisions {
		fmt.Println(simulate.Clock(d.At), d.Action, d.Reasons[len(d.Reasons)-1])
	}
	// Output:
	// exposed 20, failed 20 of 2020 hosts; rolled back: true after +20m
	// +0s advance ring "canary": step 1: 100% of the ring (20 hosts)
	// +5m hold ring "canary": step 1 baking until 2026-11-24T09:30:00Z
	// +20m rollback trigger "went-quiet": 11 of 20 updated hosts went silent (55% > 5%)
}

// Diagnostics point at the offending line and column.
func ExampleParseScenario_error() {
	src := []byte(`scenario "x" {
  policy  = "p.hcl"
  horizon = "3 days"
}
`)
	_, file, diags := simulate.ParseScenario(src, "x.hcl")
	policy.WriteDiagnostics(os.Stdout, map[string]*hcl.File{"x.hcl": file}, diags)
	// Output:
	// x.hcl:1:1: Missing fleet block: Scenario "x" needs a fleet block.
	//     scenario "x" {
	//     ^^^^^^^^^^^^
	// x.hcl:1:1: Missing update block: Scenario "x" needs an update block.
	//     scenario "x" {
	//     ^^^^^^^^^^^^
	// x.hcl:3:13: Invalid duration: invalid duration "3 days": write a number and a unit, such as 30m, 2h, 1h30m or 2d.
	//       horizon = "3 days"
	//                 ^^^^^^^^
}
