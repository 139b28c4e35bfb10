package rollout

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDecideLogPaths: which answers of Decide append to the audit log
// (the contract in the doc comment of decide). Each case starts from a
// rollout in its first step with a one-entry log and asks one question.
func TestDecideLogPaths(t *testing.T) {
	ctx := context.Background()
	plan := testPlan(t, func(p *Plan) { p.Rings[1].Approval = false })
	f := must(NewFleet(plan, "r1", testHosts(100, 5)))
	running := f.Decide(ctx, must(f.Start(Update{ID: "u1", Kind: "content"}, t0)), healthyObs(t0, 0), t0).State
	at := t0.Add(10 * time.Minute)
	crash := Observation{At: at, Updated: Cohort{Hosts: 5, Signals: map[string]Signal{"crash": {Count: 5}}}}
	halted := must(Stop(running, Halt, "alice", "x", t0))
	complete := running
	complete.Phase = Complete
	changed := must(NewFleet(testPlan(t, func(p *Plan) { p.Rings[0].Bake = time.Hour }), "r1", testHosts(100, 5)))
	tests := []struct {
		name   string
		f      *Fleet
		st     State
		obs    Observation
		now    time.Time
		action Action
		logged bool
	}{
		{"refused: state of another rollout", f, func() State { s := running; s.RolloutID = "r2"; return s }(), healthyObs(at, 5), at, Hold, false},
		{"refused: position not in the plan", f, func() State { s := running; s.Step = 9; return s }(), healthyObs(at, 5), at, Hold, false},
		{"refused: unknown phase", f, func() State { s := running; s.Phase = "odd"; return s }(), healthyObs(at, 5), at, Hold, false},
		{"refused: time a state cannot record", f, running, healthyObs(at, 5), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Hold, false},
		{"refused: clock went backwards", f, running, healthyObs(t0.Add(-time.Hour), 5), t0.Add(-time.Hour), Hold, false},
		{"rolled back", f, must(Stop(running, Rollback, "alice", "x", t0)), healthyObs(at, 5), at, Rollback, false},
		{"complete", f, complete, healthyObs(at, 5), at, Done, false},
		{"complete, a trigger fires", f, complete, crash, at, Rollback, true},
		{"running: plan changed", changed, running, healthyObs(at, 5), at, Hold, true},
		{"running: baking", f, running, healthyObs(at, 5), at, Hold, true},
		{"running: trigger", f, running, crash, at, Rollback, true},
		{"running: advance", f, running, healthyObs(t0.Add(30*time.Minute), 5), t0.Add(30 * time.Minute), Advance, true},
		{"halted", f, halted, healthyObs(at, 5), at, Halt, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.f.Decide(ctx, tc.st, tc.obs, tc.now)
			if d.Action != tc.action {
				t.Fatalf("action %s %v, want %s", d.Action, d.Reasons, tc.action)
			}
			grew := len(d.State.Log) - len(tc.st.Log)
			if want := map[bool]int{true: 1, false: 0}[tc.logged]; grew != want {
				t.Errorf("log grew by %d entries, want %d", grew, want)
			}
			if tc.logged {
				last := d.State.Log[len(d.State.Log)-1]
				if diff := cmp.Diff(Entry{At: tc.now, Action: d.Action, Ring: last.Ring, Step: d.State.Step, Reasons: d.Reasons}, last); diff != "" {
					t.Errorf("logged entry (-want +got):\n%s", diff)
				}
			} else if d.Action != Done && d.Action != Rollback && !cmp.Equal(tc.st, d.State) {
				t.Errorf("a refused call changed the state:\n%s", cmp.Diff(tc.st, d.State))
			}
			// Asked again and again with the same inputs, the log settles:
			// the third answer logs nothing the second did not.
			second := tc.f.Decide(ctx, d.State, tc.obs, tc.now)
			third := tc.f.Decide(ctx, second.State, tc.obs, tc.now)
			if len(third.State.Log) != len(second.State.Log) {
				t.Errorf("asked three times, the log grew again (%d -> %d)", len(second.State.Log), len(third.State.Log))
			}
		})
	}
}

// TestTriggerKinds: each trigger kind's evaluation method on one view.
func TestTriggerKinds(t *testing.T) {
	u := Cohort{Hosts: 100, Silent: 12, Signals: map[string]Signal{"crash": {Count: 6, Hours: 1000}}}
	b := Cohort{Hosts: 1000, Silent: 10, Signals: map[string]Signal{"crash": {Count: 10}}}
	acked := Cohort{Silent: 2, Signals: map[string]Signal{"crash": {Count: 1, Hours: 500}}}
	tests := []struct {
		t     Trigger
		acked *Cohort
		want  verdict
	}{
		{Trigger{Kind: Absolute, Signal: "crash", Threshold: 0.05}, nil, verdict{fired: true, msg: "crash rate 6% > 5% (6 events on 100 hosts)"}},
		{Trigger{Kind: Absolute, Signal: "crash", Threshold: 0.05}, &acked, verdict{}},
		{Trigger{Kind: Absolute, Signal: "hang", Threshold: 0.05}, nil, verdict{note: `signal "hang" of updated hosts is missing`}},
		{Trigger{Kind: Baseline, Signal: "crash", Threshold: 5}, nil, verdict{fired: true, msg: "crash rate 6% is 6x the baseline's 1% (limit 5x)"}},
		{Trigger{Kind: Baseline, Signal: "crash", Threshold: 6}, nil, verdict{}},
		{Trigger{Kind: Silence, Threshold: 0.1}, nil, verdict{fired: true, msg: "12 of 100 updated hosts went silent (12% > 10%)"}},
		{Trigger{Kind: Silence, Threshold: 0.1}, &acked, verdict{}},
		{Trigger{Kind: SilenceBaseline, Threshold: 10}, nil, verdict{fired: true, msg: "12 of 100 updated hosts went silent (12%), 12x the baseline's 1% (10 of 1000 hosts not yet updated; limit 10x)"}},
		{Trigger{Kind: Sequential, Signal: "crash", Rate: 0.001, Ratio: 2, Alpha: 0.05}, nil, verdict{fired: true, msg: "sequential test: 6 crash events in 1000 host-hours reject the healthy rate 0.001/host-hour (likelihood ratio 23.5 >= 1/alpha = 20)"}},
		{Trigger{Kind: Sequential, Signal: "crash", Rate: 0.001, Ratio: 2, Alpha: 0.05}, &acked, verdict{}},
	}
	for _, tc := range tests {
		got := tc.t.evaluate(&triggerView{u: &u, b: &b, acked: tc.acked})
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(verdict{})); diff != "" {
			t.Errorf("%s trigger (acked %t) (-want +got):\n%s", tc.t.Kind, tc.acked != nil, diff)
		}
	}
}
