package rollout_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

// An attributed trigger tells a fleet-wide outage from a bad update: its
// bar applies to the excess of the updated hosts' rate over the rate of
// the hosts not yet updated. While those crash as much as the updated
// ones, the rollout holds instead of rolling back; when only the updated
// hosts crash, it rolls back.
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
	// hold - fleet-wide failure, not attributable to this update: holding: among updated hosts crash rate 80% > 10% (4 events on 5 hosts); among hosts not yet updated crash rate 84.2% (80 events on 95 hosts)
	// rollback - crash rate 80% > 10% (4 events on 5 hosts)
}

// A trigger by stratum finds a fault confined to one configuration that a
// fleet-wide rate hides: the caller counts each stratum's hosts under the
// key StratumKey gives (the keys TriggerStrata lists), and the reason
// names the stratum that fired.
func ExampleFleet_TriggerStrata() {
	plan, err := rollout.Compile(rollout.Plan{
		Name:  "content",
		Rings: []rollout.Ring{{Name: "all", Steps: []float64{10, 100}, Bake: time.Hour}},
		Triggers: []rollout.Trigger{
			{Name: "crash-by-build", Kind: rollout.Baseline, Signal: "crash", Threshold: 3, MinCount: 2, By: []string{"os_build"}, Action: rollout.Rollback},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var hosts []rollout.Host
	for i := range 1000 {
		build := "22631"
		if i%125 == 0 {
			build = "26100" // 0.8% of the fleet
		}
		hosts = append(hosts, rollout.Host{ID: fmt.Sprintf("h%04d", i), Labels: map[string]string{"os_build": build}})
	}
	fleet, err := rollout.NewFleet(plan, "content-2026-11-24", hosts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fleet.TriggerStrata(0))
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st, _ := fleet.Start(rollout.Update{ID: "c-291", Kind: "content"}, now)
	crash := func(n int) map[string]rollout.Signal { return map[string]rollout.Signal{"crash": {Count: float64(n)}} }
	obs := rollout.Observation{At: now, ByStratum: map[string]rollout.Stratum{}}
	for _, k := range fleet.TriggerStrata(0) {
		obs.ByStratum[k] = rollout.Stratum{Updated: rollout.Cohort{Signals: crash(0)}, Baseline: rollout.Cohort{Signals: crash(0)}}
	}
	st = fleet.Decide(context.Background(), st, obs, now).State
	// An hour later: 100 hosts updated, 2 of them on build 26100, and both
	// crashed; 1 crash among the other 98: 3% fleet-wide.
	now = now.Add(time.Hour)
	obs.At = now
	obs.Updated = rollout.Cohort{Hosts: 100, Healthy: 97, Signals: crash(3)}
	obs.Baseline = rollout.Cohort{Hosts: 900, Healthy: 900, Signals: crash(9)}
	key := rollout.StratumKey([]string{"os_build"}, map[string]string{"os_build": "26100"})
	obs.ByStratum[key] = rollout.Stratum{
		Updated:  rollout.Cohort{Hosts: 2, Signals: crash(2)},
		Baseline: rollout.Cohort{Hosts: 6, Healthy: 6, Signals: crash(0)},
	}
	obs.ByStratum["os_build=22631"] = rollout.Stratum{
		Updated:  rollout.Cohort{Hosts: 98, Healthy: 97, Signals: crash(1)},
		Baseline: rollout.Cohort{Hosts: 894, Healthy: 894, Signals: crash(9)},
	}
	d := fleet.Decide(context.Background(), st, obs, now)
	fmt.Println(d.Action, "-", d.Reasons[0].Message)
	// Output:
	// [os_build=22631 os_build=26100]
	// rollback - stratum os_build=26100: crash rate 100% is 6x the baseline's 0% (limit 3x)
}

// A bake ends on evidence: its time, and the share of the hosts offered
// the update that took it (MinTaken) and the host-hours they have run
// since the step started (MinHostHours, from Cohort.Hours).
func ExampleRing_evidence() {
	plan, err := rollout.Compile(rollout.Plan{
		Name: "content",
		Rings: []rollout.Ring{
			{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute, MinTaken: 0.8, MinHostHours: 4},
			{Name: "broad", Steps: []float64{10, 100}, Bake: 2 * time.Hour},
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
	st = fleet.Decide(context.Background(), st, rollout.Observation{At: now}, now).State
	for _, o := range []struct {
		after        time.Duration
		taken        int
		hostHoursRun float64
	}{{30 * time.Minute, 2, 1}, {50 * time.Minute, 4, 2.5}, {80 * time.Minute, 4, 4.5}} {
		at := now.Add(o.after)
		obs := rollout.Observation{At: at, Updated: rollout.Cohort{Hosts: o.taken, Healthy: o.taken, Hours: o.hostHoursRun}}
		d := fleet.Decide(context.Background(), st, obs, at)
		fmt.Println(at.Format("15:04"), d.Action, "-", d.Reasons[0].Message)
		st = d.State
	}
	// Output:
	// 09:30 hold - 2 of the 5 hosts of the ring offered the update have taken it; the bake needs 4 (min_taken 0.8)
	// 09:50 hold - updated hosts have run 2.5 host-hours since the step started; the bake needs 4 (min_host_hours)
	// 10:20 advance - step 1: 10% of the ring (9 hosts)
}
