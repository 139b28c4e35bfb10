package rollout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testPlan is a two-ring plan: a canary ring (channel=internal) that needs
// no approval and a broad ring with an approval and a tenant cap.
func testPlan(t *testing.T, edit func(*Plan)) *Plan {
	t.Helper()
	p := Plan{
		Name: "content",
		Rings: []Ring{
			{Name: "canary", Select: Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute},
			{Name: "broad", Steps: []float64{10, 100}, Bake: 2 * time.Hour, Approval: true},
		},
		Triggers: []Trigger{
			{Name: "crash-rate", Kind: Absolute, Signal: "crash", Threshold: 0.1, Action: Rollback},
			{Name: "went-quiet", Kind: Silence, Threshold: 0.3, MinCount: 2, Action: Halt},
		},
		Blackouts: []Blackout{{Name: "freeze", From: t0.Add(24 * time.Hour), To: t0.Add(48 * time.Hour), Exempt: []string{"emergency"}}},
		Urgencies: []Urgency{{Name: "emergency", BakeScale: 0.1}},
	}
	if edit != nil {
		edit(&p)
	}
	plan, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func testHosts(n, internal int) []Host {
	hosts := make([]Host, n)
	for i := range hosts {
		ch := "stable"
		if i < internal {
			ch = "internal"
		}
		hosts[i] = Host{ID: fmt.Sprintf("h%03d", i), Labels: map[string]string{"channel": ch}}
	}
	return hosts
}

func healthyObs(at time.Time, hosts int) Observation {
	return Observation{At: at, Updated: Cohort{Hosts: hosts, Healthy: hosts, Signals: map[string]Signal{"crash": {}}}}
}

// outcome is the part of a Decision a table test compares.
type outcome struct {
	Action  Action
	Reasons []string
	Next    time.Time
	Ring    int
	Step    int
	Phase   Phase
}

func outcomeOf(d Decision) outcome {
	o := outcome{Action: d.Action, Next: d.Next, Ring: d.State.Ring, Step: d.State.Step, Phase: d.State.Phase}
	for _, r := range d.Reasons {
		o.Reasons = append(o.Reasons, r.String())
	}
	return o
}

// TestDecide puts the rollout in the canary's first step (5 internal hosts,
// started at t0) and asks the controller call one question per case.
func TestDecide(t *testing.T) {
	ctx := context.Background()
	bakeEnd := t0.Add(30 * time.Minute)
	tests := []struct {
		name string
		plan func(*Plan)
		st   func(State) State
		obs  Observation
		now  time.Time
		want outcome
	}{
		{
			name: "baking",
			obs:  healthyObs(t0.Add(10*time.Minute), 5),
			now:  t0.Add(10 * time.Minute),
			want: outcome{Action: Hold, Next: bakeEnd, Step: 0, Phase: Running,
				Reasons: []string{`ring "canary": step 1 baking until 2026-11-24T09:30:00Z`}},
		},
		{
			name: "baked, approval missing",
			obs:  healthyObs(bakeEnd, 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`ring "broad": entering this ring needs a human approval`}},
		},
		{
			name: "baked and approved",
			obs: func() Observation {
				o := healthyObs(bakeEnd, 5)
				o.Approvals = []Approval{{Ring: "broad", By: "alice"}}
				return o
			}(),
			now: bakeEnd,
			want: outcome{Action: Advance, Next: bakeEnd.Add(2 * time.Hour), Ring: 1, Step: 0, Phase: Running,
				Reasons: []string{`ring "broad": step 1: 10% of the ring (9 hosts)`}},
		},
		{
			name: "observation predates the step",
			obs:  healthyObs(t0.Add(-time.Minute), 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`ring "canary": no observation since step 1 started (latest is from 2026-11-24T08:59:00Z)`}},
		},
		{
			name: "signal missing",
			obs:  Observation{At: bakeEnd, Updated: Cohort{Hosts: 5, Healthy: 5}},
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`trigger "crash-rate": signal "crash" of updated hosts is missing`}},
		},
		{
			name: "silent hosts do not count as healthy",
			obs:  Observation{At: bakeEnd, Updated: Cohort{Hosts: 5, Healthy: 5, Silent: 1, Signals: map[string]Signal{"crash": {}}}},
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`ring "canary": 4 of 5 updated hosts reported healthy (1 silent); the bake needs 5`}},
		},
		{
			name: "min_healthy 0.55 of 100 needs 55, not 56",
			plan: func(p *Plan) { p.Rings[0].MinHealthy = 0.55; p.Rings[1].Approval = false },
			obs:  Observation{At: bakeEnd, Updated: Cohort{Hosts: 100, Healthy: 55, Signals: map[string]Signal{"crash": {}}}},
			now:  bakeEnd,
			want: outcome{Action: Advance, Next: bakeEnd.Add(2 * time.Hour), Ring: 1, Step: 0, Phase: Running,
				Reasons: []string{`ring "broad": step 1: 10% of the ring (9 hosts)`}},
		},
		{
			name: "min_healthy 0.55 of 100: 54 is not enough",
			plan: func(p *Plan) { p.Rings[0].MinHealthy = 0.55 },
			obs:  Observation{At: bakeEnd, Updated: Cohort{Hosts: 100, Healthy: 54, Signals: map[string]Signal{"crash": {}}}},
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`ring "canary": 54 of 100 updated hosts reported healthy (0 silent); the bake needs 55`}},
		},
		{
			name: "trigger rolls back, even while paused",
			st:   func(s State) State { return must(Pause(s, "lunch", t0)) },
			obs:  Observation{At: t0.Add(5 * time.Minute), Updated: Cohort{Hosts: 5, Signals: map[string]Signal{"crash": {Count: 2}}}},
			now:  t0.Add(5 * time.Minute),
			want: outcome{Action: Rollback, Step: 0, Phase: RolledBack,
				Reasons: []string{`trigger "crash-rate": crash rate 40% > 10% (2 events on 5 hosts)`}},
		},
		{
			name: "silence halts",
			obs:  Observation{At: t0.Add(5 * time.Minute), Updated: Cohort{Hosts: 5, Silent: 2, Signals: map[string]Signal{"crash": {}}}},
			now:  t0.Add(5 * time.Minute),
			want: outcome{Action: Halt, Step: 0, Phase: Halted,
				Reasons: []string{`trigger "went-quiet": 2 of 5 updated hosts went silent (40% > 30%)`}},
		},
		{
			name: "paused",
			st:   func(s State) State { return must(Pause(s, "lunch", t0)) },
			obs:  healthyObs(bakeEnd, 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running, Reasons: []string{`pause: paused by hand: lunch`}},
		},
		{
			name: "clock went backwards",
			obs:  healthyObs(t0.Add(-time.Hour), 5),
			now:  t0.Add(-time.Hour),
			want: outcome{Action: Hold, Next: t0, Step: 0, Phase: Running,
				Reasons: []string{`engine: clock went backwards: 2026-11-24T08:00:00Z is before the last call at 2026-11-24T09:00:00Z`}},
		},
		{
			name: "observation from the future",
			obs:  healthyObs(bakeEnd.Add(time.Hour), 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`engine: observation is from the future (1h0m0s after now)`}},
		},
		{
			name: "blackout",
			obs:  healthyObs(t0.Add(25*time.Hour), 5),
			now:  t0.Add(25 * time.Hour),
			want: outcome{Action: Hold, Next: t0.Add(48 * time.Hour), Step: 0, Phase: Running,
				Reasons: []string{`blackout "freeze": frozen until 2026-11-26T09:00:00Z`}},
		},
		{
			name: "state of another rollout",
			st:   func(s State) State { s.RolloutID = "other"; return s },
			obs:  healthyObs(bakeEnd, 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: Running,
				Reasons: []string{`engine: state belongs to rollout "other", not "r1"`}},
		},
		{
			name: "position outside the plan",
			st:   func(s State) State { s.Step = 7; return s },
			obs:  healthyObs(bakeEnd, 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 7, Phase: Running,
				Reasons: []string{`engine: state position ring 0 step 7 is not in plan "content"`}},
		},
		{
			name: "unknown phase",
			st:   func(s State) State { s.Phase = "exploded"; return s },
			obs:  healthyObs(bakeEnd, 5),
			now:  bakeEnd,
			want: outcome{Action: Hold, Step: 0, Phase: "exploded", Reasons: []string{`engine: unknown phase "exploded"`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewFleet(testPlan(t, tc.plan), "r1", testHosts(100, 5))
			if err != nil {
				t.Fatal(err)
			}
			st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
			d := f.Decide(ctx, st, healthyObs(t0, 0), t0)
			if d.Action != Advance {
				t.Fatalf("first step: %s %v", d.Action, d.Reasons)
			}
			st = d.State
			if tc.st != nil {
				st = tc.st(st)
			}
			got := outcomeOf(f.Decide(ctx, st, tc.obs, tc.now))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEligibleRollbackUnderChangedPlan: a rollback reaches every host even
// when the update server has already loaded a changed plan (before this was
// fixed, the digest check came first and the hosts kept a bad update).
func TestEligibleRollbackUnderChangedPlan(t *testing.T) {
	hosts := testHosts(20, 5)
	old := must(NewFleet(testPlan(t, nil), "r1", hosts))
	st := must(old.Start(Update{ID: "u1", Kind: "content"}, t0))
	st.Phase = RolledBack
	changed := must(NewFleet(testPlan(t, func(p *Plan) { p.Rings[1].Bake = time.Hour }), "r1", hosts))
	got := changed.Eligible("h010", &st, t0.Add(25*time.Hour)) // inside the blackout, too
	if diff := cmp.Diff(Eligibility{Verdict: Revert, Why: WhyRolledBack}, got); diff != "" {
		t.Errorf("Eligible (-want +got):\n%s", diff)
	}
}

// TestEligibleBadPosition: a state whose position is outside the plan
// exposes nobody (before this was fixed, a step past the ring's last one
// exposed the whole ring).
func TestEligibleBadPosition(t *testing.T) {
	f := must(NewFleet(testPlan(t, nil), "r1", testHosts(20, 5)))
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	for _, pos := range [][2]int{{1, 2}, {1, 9}, {2, 0}, {0, -2}} {
		st.Ring, st.Step = pos[0], pos[1]
		got := f.Eligible("h010", &st, t0)
		if diff := cmp.Diff(Eligibility{Verdict: Wait, Why: WhyBadState}, got); diff != "" {
			t.Errorf("ring %d step %d: Eligible (-want +got):\n%s", pos[0], pos[1], diff)
		}
	}
}

// TestBakeForNeverZero: an urgency's bake scale never rounds a bake down to
// nothing, which would let one observation advance twice at one instant.
func TestBakeForNeverZero(t *testing.T) {
	p := testPlan(t, func(p *Plan) { p.Rings[0].Bake = 5 })
	got := []time.Duration{p.BakeFor(0, ""), p.BakeFor(0, "emergency"), p.BakeFor(1, "emergency")}
	want := []time.Duration{5, 1, 12 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BakeFor (-want +got):\n%s", diff)
	}
}

// TestResumeCountsFromAck: after Resume the same old events do not halt
// again, new ones do.
func TestResumeCountsFromAck(t *testing.T) {
	ctx := context.Background()
	f := must(NewFleet(testPlan(t, nil), "r1", testHosts(100, 5)))
	st := f.Decide(ctx, must(f.Start(Update{ID: "u1", Kind: "content"}, t0)), healthyObs(t0, 0), t0).State
	quiet := Observation{At: t0.Add(time.Minute), Updated: Cohort{Hosts: 5, Silent: 2, Signals: map[string]Signal{"crash": {}}}}
	d := f.Decide(ctx, st, quiet, quiet.At)
	if d.Action != Halt {
		t.Fatalf("got %s, want halt", d.Action)
	}
	if e := f.Eligible("h001", &d.State, quiet.At); e.Verdict != Wait || e.Why != WhyHalted {
		t.Errorf("halted: Eligible = %+v", e)
	}
	st, err := Resume(d.State, quiet, "bob", t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	quiet.At = t0.Add(3 * time.Minute)
	if d := f.Decide(ctx, st, quiet, quiet.At); d.Action != Hold {
		t.Errorf("after resume, same evidence: got %s %v, want hold", d.Action, d.Reasons)
	}
	quiet.Updated.Silent = 4
	if d := f.Decide(ctx, st, quiet, quiet.At); d.Action != Halt {
		t.Errorf("after resume, two more silent: got %s %v, want halt", d.Action, d.Reasons)
	}
	if _, err := Resume(st, quiet, "bob", quiet.At); err == nil {
		t.Errorf("Resume of a running rollout: no error")
	}
}

// TestLogWhileBaking: a controller that polls every minute through a
// two-hour bake adds one audit log entry, not one per poll (before this was
// fixed, the hold's reason carried the time left and every poll differed,
// so the state grew without bound and each call copied the whole log).
func TestLogWhileBaking(t *testing.T) {
	ctx := context.Background()
	f := must(NewFleet(testPlan(t, func(p *Plan) { p.Rings[1].Approval = false }), "r1", testHosts(100, 5)))
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	now := t0
	var actions []Action
	for range 4 * 60 {
		updated := f.Target(st.Ring, st.Step) // every host offered the update took it
		for r := range st.Ring {
			updated += f.RingSize(r)
		}
		d := f.Decide(ctx, st, healthyObs(now, updated), now)
		if d.Action != Hold {
			actions = append(actions, d.Action)
		}
		st = d.State
		now = now.Add(time.Minute)
	}
	var got []string
	for _, e := range st.Log {
		got = append(got, e.String())
	}
	want := []string{
		"2026-11-24T09:00:00Z advance  ring canary step 1\n    ring \"canary\": step 1: 100% of the ring (5 hosts)",
		"2026-11-24T09:01:00Z hold     ring canary step 1\n    ring \"canary\": step 1 baking until 2026-11-24T09:30:00Z",
		"2026-11-24T09:30:00Z advance  ring broad step 1\n    ring \"broad\": step 1: 10% of the ring (9 hosts)",
		"2026-11-24T09:31:00Z hold     ring broad step 1\n    ring \"broad\": step 1 baking until 2026-11-24T11:30:00Z",
		"2026-11-24T11:30:00Z advance  ring broad step 2\n    ring \"broad\": step 2: 100% of the ring (95 hosts)",
		"2026-11-24T11:31:00Z hold     ring broad step 2\n    ring \"broad\": step 2 baking until 2026-11-24T13:30:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Action{Advance, Advance, Advance}, actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

func TestStopByHand(t *testing.T) {
	plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour}}}))
	hosts := []Host{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}
	f := must(NewFleet(plan, "r", hosts))
	st := must(f.Start(Update{ID: "u", Kind: "k"}, t0))
	obs := Observation{At: t0}
	st = f.Decide(context.Background(), st, obs, t0).State
	if st.Step != 0 {
		t.Fatalf("did not advance to the first step: %+v", st)
	}

	halted, err := Stop(st, Halt, "alice", "crash reports from support", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		if e := f.Eligible(h.ID, &halted, t0.Add(2*time.Hour)); e.Verdict == Take {
			t.Errorf("host %s may take the update after a halt by hand", h.ID)
		}
	}
	if d := f.Decide(context.Background(), halted, Observation{At: t0.Add(2 * time.Hour), Updated: Cohort{Hosts: 2, Healthy: 2}}, t0.Add(2*time.Hour)); d.Action != Halt {
		t.Errorf("decision after a halt by hand = %s, want halt", d.Action)
	}
	last := halted.Log[len(halted.Log)-1]
	if diff := cmp.Diff(Reason{Rule: "alice", Message: "halt by hand: crash reports from support"}, last.Reasons[0]); diff != "" {
		t.Errorf("log reason (-want +got):\n%s", diff)
	}

	back, err := Stop(halted, Rollback, "alice", "confirmed", t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if e := f.Eligible("a", &back, t0.Add(3*time.Minute)); e.Verdict != Revert {
		t.Errorf("after a rollback by hand host a gets %s, want revert", e.Verdict)
	}
	if _, err := Stop(back, Halt, "bob", "again", t0.Add(4*time.Minute)); err == nil {
		t.Error("stopping a rolled-back rollout succeeded")
	}
	if _, err := Stop(st, Advance, "bob", "go", t0); err == nil {
		t.Error("Stop accepted advance")
	}
}

// A complete rollout still rolls back when a trigger fires: deferred
// tenants may not have taken the update, and a rollback is never too late.
func TestDecideCompleteStillRollsBack(t *testing.T) {
	plan := must(Compile(Plan{Name: "p",
		Rings:    []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}},
		Triggers: []Trigger{{Name: "crash-rate", Kind: Absolute, Signal: "crash", Threshold: 0.1, Action: Rollback}},
	}))
	f := must(NewFleet(plan, "r", []Host{{ID: "a"}, {ID: "b"}}))
	st := must(f.Start(Update{ID: "u", Kind: "k"}, t0))
	ok := func(at time.Time, crashes float64) Observation {
		return Observation{At: at, Updated: Cohort{Hosts: 2, Healthy: 2, Signals: map[string]Signal{"crash": {Count: crashes}}}}
	}
	st = f.Decide(context.Background(), st, ok(t0, 0), t0).State
	st = f.Decide(context.Background(), st, ok(t0.Add(2*time.Hour), 0), t0.Add(2*time.Hour)).State
	if st.Phase != Complete {
		t.Fatalf("phase %s, want complete", st.Phase)
	}
	if d := f.Decide(context.Background(), st, ok(t0.Add(3*time.Hour), 0), t0.Add(3*time.Hour)); d.Action != Done {
		t.Errorf("healthy complete rollout: %s, want complete", d.Action)
	}
	d := f.Decide(context.Background(), st, ok(t0.Add(4*time.Hour), 2), t0.Add(4*time.Hour))
	if d.Action != Rollback || d.State.Phase != RolledBack {
		t.Fatalf("crashing complete rollout: %s (phase %s), want rollback", d.Action, d.State.Phase)
	}
	if e := f.Eligible("a", &d.State, t0.Add(4*time.Hour)); e.Verdict != Revert {
		t.Errorf("host a after the rollback: %s, want revert", e.Verdict)
	}
}

func TestDecideIgnoresApprovalFromBeforeTheRollout(t *testing.T) {
	plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour, Approval: true}}}))
	f := must(NewFleet(plan, "r", []Host{{ID: "a"}}))
	st := must(f.Start(Update{ID: "u", Kind: "k"}, t0))
	stale := Observation{At: t0, Approvals: []Approval{{Ring: "all", By: "alice", At: t0.Add(-24 * time.Hour)}}}
	if d := f.Decide(context.Background(), st, stale, t0); d.Action != Hold {
		t.Errorf("approval from the day before: %s, want hold", d.Action)
	}
	fresh := Observation{At: t0, Approvals: []Approval{{Ring: "all", By: "alice", At: t0}}}
	if d := f.Decide(context.Background(), st, fresh, t0); d.Action != Advance {
		t.Errorf("approval at the start: %s, want advance", d.Action)
	}
}
