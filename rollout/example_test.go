package rollout_test

import (
	"context"
	"encoding/json"
	"errors"
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

// Compile reports every problem of a plan at once, each with the rule it
// concerns (and, for plans loaded from files, where it is written).
func ExampleCompile_errors() {
	_, err := rollout.Compile(rollout.Plan{
		Name: "content",
		Rings: []rollout.Ring{
			{Name: "canary", Steps: []float64{50, 10}, Bake: 30 * time.Minute},
			{Name: "broad", Steps: []float64{100}, TenantCap: 150, Src: rollout.Source{File: "content.hcl", Line: 12, Column: 3}},
		},
		Triggers: []rollout.Trigger{
			{Name: "crash", Kind: rollout.Sequential, Signal: "crash", Rate: 0.001, Ratio: 2, Alpha: 0.5, Action: rollout.Rollback},
		},
	})
	for _, e := range rollout.ValidationErrors(err) {
		fmt.Println(e)
	}
	// Output:
	// rollout: ring "canary": steps must be strictly increasing: 10 follows 50
	// rollout: ring "canary": the last step must be 100 so that the ring completes, got 10
	// content.hcl:12:3: rollout: ring "broad": bake must be a positive duration, got 0s; every step must run for a while before the next
	// content.hcl:12:3: rollout: ring "broad": tenant_cap must be a percentage in (0, 100], got 150
	// rollout: trigger "crash": alpha, the false-alarm bound, must be in (0, 0.5), got 0.5
}

// The host call: an update server asks, for each host that checks in,
// whether it may take the update now. A host outside its tenant's
// maintenance window is told when the window opens.
func ExampleFleet_Eligible() {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, err := rollout.Compile(rollout.Plan{
		Name:  "content",
		Rings: []rollout.Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}},
		Tenants: []rollout.Tenant{{
			Name:   "hospital",
			Select: rollout.Selector{{Key: "tenant", Values: []string{"st-marys"}}},
			Maintenance: []rollout.Window{{
				Days: []time.Weekday{time.Saturday, time.Sunday}, Start: time.Hour, Length: 4 * time.Hour, Zone: london,
			}},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fleet, err := rollout.NewFleet(plan, "content-2026-11-24", []rollout.Host{
		{ID: "laptop-1", Labels: map[string]string{"tenant": "acme"}},
		{ID: "ward-pc-7", Labels: map[string]string{"tenant": "st-marys"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) // a Tuesday
	st, _ := fleet.Start(rollout.Update{ID: "c-291", Kind: "content"}, now)
	st = fleet.Decide(context.Background(), st, rollout.Observation{At: now}, now).State
	for _, id := range []string{"laptop-1", "ward-pc-7", "printer-3"} {
		e := fleet.Eligible(id, &st, now)
		fmt.Printf("%s: %s (%s)", id, e.Verdict, e.Why)
		if !e.From.IsZero() {
			fmt.Printf(" from %s", e.From.In(london).Format("Mon 2 Jan 15:04 MST"))
		}
		fmt.Println()
	}
	// Output:
	// laptop-1: take (exposed)
	// ward-pc-7: wait (outside maintenance window) from Sat 28 Nov 01:00 GMT
	// printer-3: never (unknown host)
}

// Schedule shows a plan's nominal timeline: when each step starts if every
// signal is healthy, with the delays blackouts cause.
func ExamplePlan_Schedule() {
	plan, err := rollout.Compile(rollout.Plan{
		Name: "content",
		Rings: []rollout.Ring{
			{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute},
			{Name: "broad", Steps: []float64{10, 100}, Bake: 2 * time.Hour, TenantCap: 50},
		},
		Blackouts: []rollout.Blackout{{
			Name: "change-freeze",
			From: time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC),
			To:   time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := plan.Schedule(rollout.Update{ID: "c-291", Kind: "content"}, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	for _, step := range s.Steps {
		fmt.Printf("%s %s step %d: %g%%", step.Start.Format("Mon 15:04"), step.Ring, step.Step+1, step.Percent)
		if step.Capped {
			fmt.Print(" (tenant cap)")
		}
		for _, r := range step.Reasons {
			fmt.Print("; ", r)
		}
		fmt.Println()
	}
	fmt.Println("complete", s.Complete.Format("Mon 15:04"))
	// Output:
	// Tue 09:00 canary step 1: 100%
	// Tue 09:30 broad step 1: 10% (tenant cap)
	// Wed 08:00 broad step 2: 100% (tenant cap); delayed 20h30m0s by blackout "change-freeze"
	// Wed 10:00 broad step 3: 100%
	// complete Wed 12:00
}

// ParseState refuses what it cannot trust: a caller that cannot parse its
// stored state must hold the rollout, not restart it.
func ExampleParseState_errors() {
	for _, in := range []string{
		`{"version":1,"rollout_id":"content-2026-11-24","pha`,
		`{"rollout_id":"content-2026-11-24"}`,
		`{"version":7,"rollout_id":"content-2026-11-24"}`,
		`{"version":1,"rollout_id":"content-2026-11-24","phase":"running","colour":"blue"}`,
	} {
		_, err := rollout.ParseState([]byte(in))
		fmt.Printf("%v (version error: %t)\n", err, errors.Is(err, rollout.ErrStateVersion))
	}
	// Output:
	// rollout: parse state: unexpected end of JSON input (version error: false)
	// rollout: unknown state version: no version field (version error: true)
	// rollout: unknown state version 7 (this build reads 1) (version error: true)
	// rollout: parse state: json: unknown field "colour" (version error: false)
}

// An Observation is built from what your telemetry counted, for the hosts
// that took this rollout's update (Updated) and for those that have not
// (Baseline): how many there are, how many reported healthy since they
// updated, how many are silent now, and each signal's event count since
// the rollout started with the host-hours it was counted over. A signal a
// trigger reads must be present (a zero count is a count; a missing one
// holds the rollout).
func ExampleObservation() {
	fleet, err := rollout.NewFleet(examplePlan(), "content-2026-11-24", exampleHosts())
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st, _ := fleet.Start(rollout.Update{ID: "c-291", Kind: "content"}, start)
	st = fleet.Decide(context.Background(), st, rollout.Observation{At: start,
		Updated:  rollout.Cohort{Signals: map[string]rollout.Signal{"crash": {}}},
		Baseline: rollout.Cohort{Hosts: 100, Healthy: 100, Signals: map[string]rollout.Signal{"crash": {}}},
	}, start).State // the canary ring: the 5 internal hosts

	// 40 minutes later, from the fleet's reports: the 5 canary hosts took
	// the update and reported healthy; the 95 others have not updated.
	at := start.Add(40 * time.Minute)
	healthy := rollout.Observation{
		At: at,
		Updated: rollout.Cohort{
			Hosts:   5, // took the update
			Healthy: 5, // reported healthy since
			Silent:  0, // took it and went quiet
			Signals: map[string]rollout.Signal{"crash": {Count: 0, Hours: 5 * 40.0 / 60}},
		},
		Baseline: rollout.Cohort{
			Hosts:   95,
			Healthy: 95,
			Signals: map[string]rollout.Signal{"crash": {Count: 1, Hours: 95 * 40.0 / 60}},
		},
	}
	d := fleet.Decide(context.Background(), st, healthy, at)
	fmt.Println(d.Action, d.Reasons[len(d.Reasons)-1])

	// The same, but 2 of the 5 crashed: 40% of the updated hosts, above the
	// crash-rate trigger's 1%.
	crashed := healthy
	crashed.Updated.Healthy = 3
	crashed.Updated.Signals = map[string]rollout.Signal{"crash": {Count: 2, Hours: 5 * 40.0 / 60}}
	d = fleet.Decide(context.Background(), st, crashed, at)
	fmt.Println(d.Action, d.Reasons[0])

	// Without the crash signal the engine cannot tell: it holds.
	missing := healthy
	missing.Updated.Signals = nil
	d = fleet.Decide(context.Background(), st, missing, at)
	fmt.Println(d.Action, d.Reasons[0])
	// Output:
	// advance ring "broad": step 1: 10% of the ring (9 hosts)
	// rollback trigger "crash-rate": crash rate 40% > 1% (2 events on 5 hosts)
	// hold trigger "crash-rate": signal "crash" of updated hosts is missing
}

// CheckUpdate is the one check of an update that Fleet.Start, the CLI and
// the playground share: it fills in the kind and refuses an urgency the
// plan does not define.
func ExamplePlan_CheckUpdate() {
	plan, err := rollout.Compile(rollout.Plan{
		Name:      "content",
		AppliesTo: []string{"content"},
		Rings:     []rollout.Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}},
		Urgencies: []rollout.Urgency{{Name: "emergency", BakeScale: 0.1}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range []rollout.Update{
		{ID: "c-291"},
		{ID: "c-292", Kind: "content", Urgency: "emergency"},
		{ID: "c-293", Urgency: "emergncy"},
		{ID: "s-1", Kind: "sensor"},
	} {
		got, err := plan.CheckUpdate(u)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%+v\n", got)
	}
	// Output:
	// {ID:c-291 Kind:content Urgency:}
	// {ID:c-292 Kind:content Urgency:emergency}
	// rollout: rollout "content" defines no urgency "emergncy" (urgencies: routine, emergency)
	// rollout: plan "content" does not apply to updates of kind "sensor" (applies_to ["content"])
}

// A schedule's JSON contract is the output of ringwise plan -json.
func ExampleSchedule_JSON() {
	plan, err := rollout.Compile(rollout.Plan{Name: "content", Rings: []rollout.Ring{{Name: "all", Steps: []float64{10, 100}, Bake: 2 * time.Hour}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := plan.Schedule(rollout.Update{ID: "c-291"}, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	b, _ := json.Marshal(s.JSON())
	fmt.Println(string(b))
	// Output:
	// {"rollout":"content","start":"2026-11-24T09:00:00Z","steps":[{"ring":"all","step":1,"percent":10,"start":"2026-11-24T09:00:00Z","offset_seconds":0,"bake_seconds":7200},{"ring":"all","step":2,"percent":100,"start":"2026-11-24T11:00:00Z","offset_seconds":7200,"bake_seconds":7200}],"complete":"2026-11-24T13:00:00Z"}
}
