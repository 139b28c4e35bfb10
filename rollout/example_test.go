package rollout_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

func examplePlan() *rollout.Plan {
	plan, err := rollout.Compile(rollout.Plan{
		Name: "content",
		Rings: []rollout.Ring{
			{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute},
			{Name: "broad", Steps: []float64{10, 100}, Bake: 2 * time.Hour},
		},
		Triggers: []rollout.Trigger{
			{Name: "crash-rate", Kind: rollout.Absolute, Signal: "crash", Threshold: 0.01, Action: rollout.Rollback},
		},
	})
	if err != nil {
		panic(err)
	}
	return plan
}

func exampleHosts() []rollout.Host {
	var hosts []rollout.Host
	for i := range 100 {
		ch := "stable"
		if i < 5 {
			ch = "internal"
		}
		hosts = append(hosts, rollout.Host{ID: fmt.Sprintf("h%03d", i), Labels: map[string]string{"channel": ch}})
	}
	return hosts
}

// A controller loop: ask Decide, persist the state, come back at Next.
func ExampleFleet_Decide() {
	fleet, err := rollout.NewFleet(examplePlan(), "content-2026-11-24", exampleHosts())
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st, _ := fleet.Start(rollout.Update{ID: "c-291", Kind: "content"}, now)
	healthy := func(hosts int) rollout.Observation {
		return rollout.Observation{At: now, Updated: rollout.Cohort{Hosts: hosts, Healthy: hosts,
			Signals: map[string]rollout.Signal{"crash": {}}}}
	}
	for _, updated := range []int{0, 5, 14, 100} {
		d := fleet.Decide(context.Background(), st, healthy(updated), now)
		fmt.Printf("%s %s: %s\n", now.Format("15:04"), d.Action, d.Reasons[len(d.Reasons)-1])
		st = d.State
		if !d.Next.IsZero() {
			now = d.Next
		}
	}
	// Output:
	// 09:00 advance: ring "canary": step 1: 100% of the ring (5 hosts)
	// 09:30 advance: ring "broad": step 1: 10% of the ring (9 hosts)
	// 11:30 advance: ring "broad": step 2: 100% of the ring (95 hosts)
	// 13:30 complete: rollout "content": every ring is complete
}
