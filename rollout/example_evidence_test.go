package rollout_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

// An attributed trigger tells a fleet-wide outage from a bad update: while
// the hosts not yet updated crash as much as the updated ones, the rollout
// holds instead of rolling back; when only the updated hosts crash, it
// rolls back.
func ExampleTrigger_attributed() {
	plan, err := rollout.Compile(rollout.Plan{
		Name: "content",
		Rings: []rollout.Ring{
			{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute},
			{Name: "broad", Steps: []float64{10, 100}, Bake: 2 * time.Hour},
		},
		Triggers: []rollout.Trigger{
			{Name: "crash-rate", Kind: rollout.Absolute, Signal: "crash", Threshold: 0.1, Attributed: true, Action: rollout.Rollback},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fleet, err := rollout.NewFleet(plan, "content-2026-11-24", exampleHosts())
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st, _ := fleet.Start(rollout.Update{ID: "c-291", Kind: "content"}, now)
	obs := func(updated, crashed, baseCrashed int) rollout.Observation {
		return rollout.Observation{At: now,
			Updated:  rollout.Cohort{Hosts: updated, Healthy: updated - crashed, Signals: map[string]rollout.Signal{"crash": {Count: float64(crashed)}}},
			Baseline: rollout.Cohort{Hosts: 100 - updated, Healthy: 100 - updated - baseCrashed, Signals: map[string]rollout.Signal{"crash": {Count: float64(baseCrashed)}}},
		}
	}
	st = fleet.Decide(context.Background(), st, obs(0, 0, 0), now).State
	now = now.Add(10 * time.Minute)
	d := fleet.Decide(context.Background(), st, obs(5, 4, 80), now) // 4 of 5 and 80 of 95 crash
	fmt.Println(d.Action, "-", d.Reasons[0].Message)
	d = fleet.Decide(context.Background(), d.State, obs(5, 4, 0), now.Add(time.Minute)) // only the updated hosts crash
	fmt.Println(d.Action, "-", d.Reasons[0].Message)
	// Output:
	// hold - fleet-wide failure, not attributable to this update: holding: among updated hosts crash rate 80% > 10% (4 events on 5 hosts); among hosts not yet updated crash rate 84.2% > 10% (80 events on 95 hosts)
	// rollback - crash rate 80% > 10% (4 events on 5 hosts)
}
