package rollout

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestDecideObservationAtStepStartIsStale: an observation taken at the
// instant a step started cannot show any host of that step, so a later call
// with the same observation must not end the step's bake. Before the fix
// the broad ring went from 10% to 100% on the observation that had let it
// enter at 10%, with none of the 10% heard from.
func TestDecideObservationAtStepStartIsStale(t *testing.T) {
	ctx := context.Background()
	p := testPlan(t, func(p *Plan) { p.Rings[1].Approval = false; p.Blackouts = nil })
	f, err := NewFleet(p, "r1", testHosts(100, 10))
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Start(Update{ID: "u", Kind: "content"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	st = f.Decide(ctx, st, healthyObs(t0, 0), t0).State // canary 100%
	t1 := t0.Add(30 * time.Minute)
	obs := healthyObs(t1, 10)
	d := f.Decide(ctx, st, obs, t1) // broad 10%
	if d.Action != Advance || d.State.Ring != 1 || d.State.Step != 0 {
		t.Fatalf("setup: got %s at ring %d step %d, want advance to broad step 1", d.Action, d.State.Ring, d.State.Step)
	}
	d = f.Decide(ctx, d.State, obs, t1.Add(2*time.Hour))
	if d.Action != Hold || !hasReason(d, "no observation since step 1 started") {
		t.Errorf("same observation after the bake: got %s %v, want hold for a fresh observation", d.Action, d.Reasons)
	}
}

// TestEligibleUnknownPhase: a state whose phase the engine does not know
// (a zero State built by hand, a typo in stored JSON that bypassed
// ParseState) makes Decide hold; the host call must not expose hosts on it.
func TestEligibleUnknownPhase(t *testing.T) {
	ctx := context.Background()
	hosts := testHosts(100, 10)
	f, err := NewFleet(testPlan(t, nil), "r1", hosts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Start(Update{ID: "u", Kind: "content"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	st = f.Decide(ctx, st, healthyObs(t0, 0), t0).State // canary 100%
	now := t0.Add(time.Minute)
	if e := f.Eligible(hosts[0].ID, &st, now); e.Verdict != Take {
		t.Fatalf("setup: canary host: got %v, want take", e)
	}
	for _, ph := range []Phase{"", "bogus", "Running"} {
		st.Phase = ph
		if e := f.Eligible(hosts[0].ID, &st, now); e.Verdict != Wait || e.Why != WhyBadState {
			t.Errorf("phase %q: got %v %v, want wait (%v)", ph, e.Verdict, e.Why, WhyBadState)
		}
	}
}

// TestDecideInvalidCounts: a NaN, infinite or negative count in an
// observation never fires a trigger (comparisons with NaN are false), so it
// must hold like a missing signal instead of letting the rollout advance.
func TestDecideInvalidCounts(t *testing.T) {
	ctx := context.Background()
	f, err := NewFleet(testPlan(t, func(p *Plan) { p.Rings[1].Approval = false; p.Blackouts = nil }), "r1", testHosts(100, 10))
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Start(Update{ID: "u", Kind: "content"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	st = f.Decide(ctx, st, healthyObs(t0, 0), t0).State // canary 100%
	t1 := t0.Add(30 * time.Minute)
	if d := f.Decide(ctx, st, healthyObs(t1, 10), t1); d.Action != Advance {
		t.Fatalf("setup: healthy observation: got %s %v, want advance", d.Action, d.Reasons)
	}
	for name, edit := range map[string]func(*Observation){
		"NaN count":          func(o *Observation) { o.Updated.Signals["crash"] = Signal{Count: math.NaN()} },
		"infinite count":     func(o *Observation) { o.Updated.Signals["crash"] = Signal{Count: math.Inf(1)} },
		"negative count":     func(o *Observation) { o.Updated.Signals["crash"] = Signal{Count: -5} },
		"NaN hours":          func(o *Observation) { o.Updated.Signals["crash"] = Signal{Hours: math.NaN()} },
		"baseline NaN":       func(o *Observation) { o.Baseline.Signals = map[string]Signal{"crash": {Count: math.NaN()}} },
		"negative silent":    func(o *Observation) { o.Updated.Silent = -3 },
		"negative base host": func(o *Observation) { o.Baseline.Hosts = -1 },
	} {
		obs := healthyObs(t1, 10)
		edit(&obs)
		// +Inf crashes fire the crash trigger (a rollback); the rest hold.
		if d := f.Decide(ctx, st, obs, t1); d.Action == Advance || d.Action == Hold && !hasReason(d, "count") {
			t.Errorf("%s: got %s %v, want hold or a trigger", name, d.Action, d.Reasons)
		}
	}
}
