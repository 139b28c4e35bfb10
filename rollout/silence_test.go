package rollout

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// silenceBaselinePlan is testPlan with its silence trigger compared with
// the baseline: more than 3 times the baseline's silent share, at least 10
// silent updated hosts.
func silenceBaselinePlan(t *testing.T, edit func(*Trigger)) *Plan {
	t.Helper()
	return testPlan(t, func(p *Plan) {
		p.Triggers[1] = Trigger{Name: "went-quiet", Kind: SilenceBaseline, Threshold: 3, MinCount: 10, Action: Halt}
		if edit != nil {
			edit(&p.Triggers[1])
		}
	})
}

func silentObs(at time.Time, silent, hosts, baseSilent, baseHosts int) Observation {
	return Observation{
		At:       at,
		Updated:  Cohort{Hosts: hosts, Healthy: hosts - silent, Silent: silent, Signals: map[string]Signal{"crash": {}}},
		Baseline: Cohort{Hosts: baseHosts, Healthy: baseHosts - baseSilent, Silent: baseSilent, Signals: map[string]Signal{"crash": {}}},
	}
}

// TestSilenceBaseline puts the rollout in the canary's first step and asks
// about one observation per case, 5 minutes in (the step is baking).
func TestSilenceBaseline(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(5 * time.Minute)
	baking := outcome{Action: Hold, Next: t0.Add(30 * time.Minute), Step: 0, Phase: Running,
		Reasons: []string{`ring "canary": step 1 baking until 2026-11-24T09:30:00Z`}}
	tests := []struct {
		name string
		trig func(*Trigger)
		obs  Observation
		want outcome
	}{
		{
			name: "normal churn: 3% silent against the baseline's 2%",
			obs:  silentObs(now, 30, 1000, 200, 10000),
			want: baking,
		},
		{
			name: "7% silent is 3.5x the baseline's 2%",
			obs:  silentObs(now, 70, 1000, 200, 10000),
			want: outcome{Action: Halt, Step: 0, Phase: Halted, Reasons: []string{
				`trigger "went-quiet": 70 of 1000 updated hosts went silent (7%), 3.5x the baseline's 2% (200 of 10000 hosts not yet updated; limit 3x)`}},
		},
		{
			name: "exactly the ratio does not fire",
			obs:  silentObs(now, 60, 1000, 200, 10000),
			want: baking,
		},
		{
			name: "a quiet baseline counts as one silent host",
			obs:  silentObs(now, 10, 1000, 0, 10000),
			want: outcome{Action: Halt, Step: 0, Phase: Halted, Reasons: []string{
				`trigger "went-quiet": 10 of 1000 updated hosts went silent (1%), 100x the baseline's 0% (0 of 10000 hosts not yet updated; limit 3x)`}},
		},
		{
			name: "below min_count",
			obs:  silentObs(now, 9, 100, 0, 10000),
			want: baking,
		},
		{
			name: "min_count 0 means 1",
			trig: func(tr *Trigger) { tr.MinCount = 0 },
			obs:  silentObs(now, 1, 100, 0, 10000),
			want: outcome{Action: Halt, Step: 0, Phase: Halted, Reasons: []string{
				`trigger "went-quiet": 1 of 100 updated hosts went silent (1%), 100x the baseline's 0% (0 of 10000 hosts not yet updated; limit 3x)`}},
		},
		{
			name: "no baseline: nothing to compare with",
			obs:  silentObs(now, 500, 1000, 0, 0),
			want: baking,
		},
		{
			name: "no updated hosts",
			obs:  silentObs(now, 0, 0, 200, 10000),
			want: baking,
		},
		{
			name: "heavy churn, rollback at a ratio of 1.25",
			trig: func(tr *Trigger) { tr.Action, tr.Threshold = Rollback, 1.25 },
			obs:  silentObs(now, 300, 1000, 2000, 10000),
			want: outcome{Action: Rollback, Step: 0, Phase: RolledBack, Reasons: []string{
				`trigger "went-quiet": 300 of 1000 updated hosts went silent (30%), 1.5x the baseline's 20% (2000 of 10000 hosts not yet updated; limit 1.25x)`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := must(NewFleet(silenceBaselinePlan(t, tc.trig), "r1", testHosts(100, 5)))
			d := f.Decide(ctx, must(f.Start(Update{ID: "u1", Kind: "content"}, t0)), healthyObs(t0, 0), t0)
			if d.Action != Advance {
				t.Fatalf("first step: %s %v", d.Action, d.Reasons)
			}
			got := outcomeOf(f.Decide(ctx, d.State, tc.obs, now))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSilenceBaselineResume: after Resume, the updated hosts silent then
// are acknowledged (as for Silence); the baseline is compared as it is.
func TestSilenceBaselineResume(t *testing.T) {
	ctx := context.Background()
	f := must(NewFleet(silenceBaselinePlan(t, nil), "r1", testHosts(100, 5)))
	st := f.Decide(ctx, must(f.Start(Update{ID: "u1", Kind: "content"}, t0)), healthyObs(t0, 0), t0).State
	quiet := silentObs(t0.Add(time.Minute), 70, 1000, 200, 10000)
	d := f.Decide(ctx, st, quiet, quiet.At)
	if d.Action != Halt {
		t.Fatalf("got %s %v, want halt", d.Action, d.Reasons)
	}
	st, err := Resume(d.State, quiet, "bob", t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []Action
	for _, silent := range []int{70, 129, 140} {
		o := silentObs(t0.Add(3*time.Minute), silent, 1000, 200, 10000)
		got = append(got, f.Decide(ctx, st, o, o.At).Action)
	}
	// 0, 59 and 70 silent since the resume: 0%, 5.9% and 7% against 2%.
	if diff := cmp.Diff([]Action{Hold, Hold, Halt}, got); diff != "" {
		t.Errorf("after resume (-want +got):\n%s", diff)
	}
}

// TestCompileSilenceBaseline: the ratio must be a finite number above 1,
// the trigger needs no signal, and its kind and ratio are in the digest.
func TestCompileSilenceBaseline(t *testing.T) {
	base := func(tr Trigger) Plan {
		return Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}}, Triggers: []Trigger{tr}}
	}
	var got []string
	for _, ratio := range []float64{1, 0.5, 0, math.Inf(1), math.NaN()} {
		_, err := Compile(base(Trigger{Name: "q", Kind: SilenceBaseline, Threshold: ratio, Action: Halt}))
		for _, ve := range ValidationErrors(err) {
			got = append(got, ve.Error())
		}
	}
	want := []string{
		`rollout: trigger "q": ratio must be greater than 1, got 1`,
		`rollout: trigger "q": ratio must be greater than 1, got 0.5`,
		`rollout: trigger "q": ratio must be greater than 1, got 0`,
		`rollout: trigger "q": ratio must be greater than 1, got +Inf`,
		`rollout: trigger "q": ratio must be greater than 1, got NaN`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("validation errors (-want +got):\n%s", diff)
	}
	digest := func(tr Trigger) string {
		p, err := Compile(base(tr))
		if err != nil {
			t.Fatal(err)
		}
		return p.Digest()
	}
	ratio2 := digest(Trigger{Name: "q", Kind: SilenceBaseline, Threshold: 2, Action: Halt})
	ratio3 := digest(Trigger{Name: "q", Kind: SilenceBaseline, Threshold: 3, Action: Halt})
	baseline := digest(Trigger{Name: "q", Kind: Baseline, Signal: "crash", Threshold: 2, Action: Halt})
	if ratio2 == ratio3 || ratio2 == baseline {
		t.Errorf("digests do not tell the triggers apart: ratio 2 %s, ratio 3 %s, signal baseline %s", ratio2, ratio3, baseline)
	}
	if got := SilenceBaseline.String(); got != "silence_baseline" {
		t.Errorf("SilenceBaseline.String() = %q", got)
	}
}
