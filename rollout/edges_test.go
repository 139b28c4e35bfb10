package rollout

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Regression tests for the engine's promises at the edges (issue 7): every
// call that takes an observation validates it as Decide does, every call
// that takes a time guards it, and whatever a call accepts can be saved.

// haltedRollout is a rollout of 5 hosts in one ring under a 10% crash
// rollback trigger, halted by hand at t0+1m.
func haltedRollout(t *testing.T) (*Fleet, State) {
	t.Helper()
	plan := must(Compile(Plan{Name: "p",
		Rings:    []Ring{{Name: "all", Steps: []float64{20, 100}, Bake: 2 * time.Hour}},
		Triggers: []Trigger{{Name: "crash-rate", Kind: Absolute, Signal: "crash", Threshold: 0.1, Action: Rollback}},
	}))
	f := must(NewFleet(plan, "r1", testHosts(25, 0)))
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	d := f.Decide(context.Background(), st, Observation{At: t0, Updated: Cohort{Signals: map[string]Signal{"crash": {}}}}, t0)
	if d.Action != Advance {
		t.Fatalf("first step: %s %v", d.Action, d.Reasons)
	}
	return f, must(Stop(d.State, Halt, "alice", "looking", t0.Add(time.Minute)))
}

func crashObs(at time.Time, hosts int, crashes float64) Observation {
	return Observation{At: at, Updated: Cohort{Hosts: hosts, Healthy: hosts, Signals: map[string]Signal{"crash": {Count: crashes}}}}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestResumeValidatesObservation: Resume refuses what Decide holds on.
// Before this was fixed, a resume on NaN crash counts acknowledged NaN:
// the state could not be saved, and every later crash count minus NaN was
// NaN, so with 5 crashes on 5 hosts the 10% rollback trigger never fired
// and the rollout advanced to 100%.
func TestResumeValidatesObservation(t *testing.T) {
	f, halted := haltedRollout(t)
	at := t0.Add(2 * time.Minute)
	tests := []struct {
		name string
		obs  Observation
		want string
	}{
		{"NaN count", crashObs(at, 5, math.NaN()), `rollout: cannot resume on this observation: signal "crash" of updated hosts is not a count (count NaN, host-hours 0)`},
		{"infinite count", crashObs(at, 5, math.Inf(1)), `rollout: cannot resume on this observation: signal "crash" of updated hosts is not a count (count +Inf, host-hours 0)`},
		{"negative count", crashObs(at, 5, -1), `rollout: cannot resume on this observation: signal "crash" of updated hosts is not a count (count -1, host-hours 0)`},
		{"negative hosts", crashObs(at, -5, 0), `rollout: cannot resume on this observation: observation of updated hosts has a negative count (hosts -5, healthy -5, silent 0)`},
		{"signal name not UTF-8", Observation{At: at, Updated: Cohort{Signals: map[string]Signal{"cr\xffash": {}}}}, `rollout: cannot resume on this observation: signal name "cr\xffash" of updated hosts is not valid UTF-8`},
		{"from the future", crashObs(at.Add(time.Minute), 5, 0), `rollout: cannot resume on an observation from the future (1m0s after now)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := Resume(halted, tc.obs, "bob", at)
			if diff := cmp.Diff(tc.want, errText(err)); diff != "" {
				t.Errorf("Resume error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(halted, st); diff != "" {
				t.Errorf("a refused Resume changed the state (-before +after):\n%s", diff)
			}
		})
	}
	// The case, resumed on a valid observation: 5 crashes on 5
	// hosts roll back.
	st := must(Resume(halted, crashObs(at, 5, 0), "bob", at))
	if _, err := MarshalState(st); err != nil {
		t.Fatalf("resumed state does not marshal: %v", err)
	}
	d := f.Decide(context.Background(), st, crashObs(at.Add(time.Hour), 5, 5), at.Add(time.Hour))
	if d.Action != Rollback {
		t.Errorf("5 crashes on 5 hosts after a resume: %s %v, want rollback", d.Action, d.Reasons)
	}
}

// TestResumeCountsNeverGoDown: counts are cumulative. A second resume on
// counts below those the first acknowledged is refused, and Decide holds
// on them (before this was fixed, the trigger's difference went negative
// and the trigger was off until the counts caught up).
func TestResumeCountsNeverGoDown(t *testing.T) {
	f, halted := haltedRollout(t)
	st := must(Resume(halted, crashObs(t0.Add(2*time.Minute), 5, 3), "bob", t0.Add(2*time.Minute)))

	d := f.Decide(context.Background(), st, crashObs(t0.Add(3*time.Hour), 5, 2), t0.Add(3*time.Hour))
	want := outcome{Action: Hold, Step: 0, Phase: Running, Reasons: []string{
		`engine: signal "crash" of updated hosts went down to count 2, host-hours 0, below the count 3, host-hours 0 acknowledged at the resume (counts are cumulative)`}}
	if diff := cmp.Diff(want, outcomeOf(d)); diff != "" {
		t.Errorf("Decide on counts below the ack (-want +got):\n%s", diff)
	}

	again := must(Stop(d.State, Halt, "alice", "again", t0.Add(3*time.Hour)))
	_, err := Resume(again, crashObs(t0.Add(4*time.Hour), 5, 2), "bob", t0.Add(4*time.Hour))
	wantErr := `rollout: cannot resume on this observation: signal "crash" of updated hosts went down to count 2, host-hours 0, below the count 3, host-hours 0 acknowledged at the resume (counts are cumulative)`
	if diff := cmp.Diff(wantErr, errText(err)); diff != "" {
		t.Errorf("second Resume error (-want +got):\n%s", diff)
	}
}

// TestCallsGuardTheClock: Resume, Adopt and Unpause refuse a clock earlier
// than the last call; before this was fixed, Resume and Adopt backdated the
// step's start, so a 2-hour bake ended one minute after a resume. Pause
// and Stop take effect (they only freeze or revert) and are logged at the
// last call's time.
func TestCallsGuardTheClock(t *testing.T) {
	f, halted := haltedRollout(t)
	last := t0.Add(2 * time.Hour)
	d := f.Decide(context.Background(), halted, crashObs(last, 5, 0), last)
	if d.Action != Halt || !d.State.Last.Equal(last) {
		t.Fatalf("halted rollout: %s, last %s", d.Action, d.State.Last)
	}
	halted = d.State
	early := t0.Add(time.Minute + 1) // a 2-hour bake from here ends a minute after last
	wantErr := `rollout: clock went backwards: 2026-11-24T09:01:00Z is before the last call at 2026-11-24T11:00:00Z`

	st, err := Resume(halted, crashObs(early, 5, 0), "bob", early)
	if diff := cmp.Diff(wantErr, errText(err)); diff != "" {
		t.Errorf("Resume error (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(halted, st); diff != "" {
		t.Errorf("refused Resume changed the state:\n%s", diff)
	}
	running := must(Resume(halted, crashObs(last, 5, 0), "bob", last))
	st, err = f.Adopt(running, early)
	if diff := cmp.Diff(wantErr, errText(err)); diff != "" {
		t.Errorf("Adopt error (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(running, st); diff != "" {
		t.Errorf("refused Adopt changed the state:\n%s", diff)
	}
	paused := must(Pause(running, "lunch", early))
	if e := paused.Log[len(paused.Log)-1]; !e.At.Equal(last) || !paused.Paused || !paused.Last.Equal(last) {
		t.Errorf("Pause on a clock that went backwards: logged at %s, paused %t, last %s; want logged at %s", e.At, paused.Paused, paused.Last, last)
	}
	_, err = Unpause(paused, early)
	if diff := cmp.Diff(wantErr, errText(err)); diff != "" {
		t.Errorf("Unpause error (-want +got):\n%s", diff)
	}
	stopped := must(Stop(running, Rollback, "alice", "bad", early))
	if e := stopped.Log[len(stopped.Log)-1]; stopped.Phase != RolledBack || !e.At.Equal(last) {
		t.Errorf("Stop on a clock that went backwards: phase %s, logged at %s; want rolled back, logged at %s", stopped.Phase, e.At, last)
	}
}

// TestUnrecordableTimes: a time outside the years 0-9999 is refused where
// it enters, so that every state the engine returns can be saved (before
// this was fixed, MarshalState failed on such a state).
func TestUnrecordableTimes(t *testing.T) {
	f, halted := haltedRollout(t)
	running := must(Resume(halted, crashObs(t0.Add(2*time.Minute), 5, 0), "bob", t0.Add(2*time.Minute)))
	for _, bad := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)} {
		want := "rollout: time " + bad.Format(time.RFC3339Nano) + " is outside the years 0000-9999 a state can record"
		errs := map[string]error{}
		_, errs["Start"] = f.Start(Update{ID: "u2", Kind: "content"}, bad)
		_, errs["Pause"] = Pause(running, "x", bad)
		_, errs["Unpause"] = Unpause(running, bad)
		_, errs["Stop"] = Stop(running, Halt, "a", "x", bad)
		_, errs["Resume"] = Resume(halted, crashObs(t0, 5, 0), "bob", bad)
		_, errs["Adopt"] = f.Adopt(running, bad)
		for call, err := range errs {
			w := want
			if call == "Start" {
				w = strings.Replace(want, "time", "start time", 1)
			}
			if diff := cmp.Diff(w, errText(err)); diff != "" {
				t.Errorf("%s at %s (-want +got):\n%s", call, bad, diff)
			}
		}
		d := f.Decide(context.Background(), running, crashObs(t0, 5, 0), bad)
		if d.Action != Hold || !cmp.Equal(running, d.State) {
			t.Errorf("Decide at %s: %s %v, state changed %t", bad, d.Action, d.Reasons, !cmp.Equal(running, d.State))
		}
	}
}

// failingGate returns a verdict whose message is not valid UTF-8.
type badTextGate struct{}

func (badTextGate) Evaluate(context.Context, GateInput) (GateVerdict, error) {
	return GateVerdict{Hold: []GateMessage{{Msg: "freeze \xff"}}}, nil
}

type badErrorGate struct{}

func (badErrorGate) Evaluate(context.Context, GateInput) (GateVerdict, error) {
	return GateVerdict{}, errors.New("backend said \xfe")
}

// TestTextMustBeUTF8: IDs, names and reasons that are not valid UTF-8 are
// refused where they enter; JSON would replace the bad bytes and the state
// read back would differ from the state written.
func TestTextMustBeUTF8(t *testing.T) {
	plan := testPlan(t, nil)
	if _, err := NewFleet(plan, "r\xff", testHosts(3, 1)); errText(err) != `rollout: rollout ID "r\xff" is not valid UTF-8` {
		t.Errorf("NewFleet: %v", err)
	}
	f := must(NewFleet(plan, "r1", testHosts(10, 5)))
	_, err := f.Start(Update{ID: "u\xff", Kind: "content"}, t0)
	if diff := cmp.Diff(`rollout: update ID "u\xff" is not valid UTF-8`, errText(err)); diff != "" {
		t.Errorf("Start (-want +got):\n%s", diff)
	}
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	_, err = Pause(st, "lunch\xff", t0)
	if diff := cmp.Diff(`rollout: pause reason "lunch\xff" is not valid UTF-8`, errText(err)); diff != "" {
		t.Errorf("Pause (-want +got):\n%s", diff)
	}
	_, err = Stop(st, Halt, "al\xffce", "x", t0)
	if diff := cmp.Diff(`rollout: name of who stops "al\xffce" is not valid UTF-8`, errText(err)); diff != "" {
		t.Errorf("Stop (-want +got):\n%s", diff)
	}
	halted := must(Stop(st, Halt, "alice", "x", t0))
	_, err = Resume(halted, Observation{At: t0}, "b\xffb", t0)
	if diff := cmp.Diff(`rollout: name of who resumes "b\xffb" is not valid UTF-8`, errText(err)); diff != "" {
		t.Errorf("Resume (-want +got):\n%s", diff)
	}

	_, err = Compile(Plan{Name: "p\xff", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour}}})
	if diff := cmp.Diff(`rollout: rollout: name "p\xff" is not valid UTF-8`, errText(err)); diff != "" {
		t.Errorf("Compile (-want +got):\n%s", diff)
	}

	// A gate's text: a malformed verdict holds; an error's text is made
	// valid. Either way the state reads back as written.
	for _, g := range []Gate{badTextGate{}, badErrorGate{}} {
		p := testPlan(t, func(p *Plan) { p.Gates = []GateBinding{{Name: "g", Gate: g}} })
		f := must(NewFleet(p, "r1", testHosts(10, 5)))
		d := f.Decide(context.Background(), must(f.Start(Update{ID: "u1", Kind: "content"}, t0)), healthyObs(t0, 0), t0)
		if d.Action != Hold {
			t.Errorf("%T: %s, want hold", g, d.Action)
		}
		b := must(MarshalState(d.State))
		if back := must(ParseState(b)); !cmp.Equal(d.State, back) {
			t.Errorf("%T: state does not round-trip: %s", g, cmp.Diff(d.State, back))
		}
		t.Logf("%T: %v", g, d.Reasons)
	}
}

// TestSPRTThresholdRounding: where the boundary is within float rounding
// of a whole number of events, SPRTThreshold is the count at which the
// engine fires. With ratio 1.5, alpha 0.001 and rate 0.001/host-hour the
// boundary after 2403.0937663623035 host-hours is 20 events; before this
// was fixed SPRTThreshold said 21 while the trigger fired at 20.
func TestSPRTThresholdRounding(t *testing.T) {
	tr := Trigger{Name: "s", Kind: Sequential, Signal: "crash", Rate: 0.001, Ratio: 1.5, Alpha: 0.001, Action: Halt}
	if got := SPRTThreshold(tr, 2403.0937663623035); got != 20 || !sprtFires(&tr, 20, 2403.0937663623035) {
		t.Errorf("SPRTThreshold = %g (fires at 20: %t), want 20", got, sprtFires(&tr, 20, 2403.0937663623035))
	}
	// Every exposure at which the boundary is a whole number of events,
	// and the floats either side of it.
	for _, ratio := range []float64{1.5, 2, 3, 4, 10} {
		for _, alpha := range []float64{0.001, 0.01, 0.05, 1.0 / 27} {
			for _, rate := range []float64{0.001, 0.01, 0.1} {
				tr := Trigger{Kind: Sequential, Rate: rate, Ratio: ratio, Alpha: alpha}
				for k := 1.0; k < 200; k++ {
					h0 := (k*math.Log(ratio) - math.Log(1/alpha)) / ((ratio - 1) * rate)
					if h0 < 0 {
						continue
					}
					for _, h := range []float64{math.Nextafter(h0, 0), h0, math.Nextafter(h0, math.Inf(1))} {
						c := SPRTThreshold(tr, h)
						if !sprtFires(&tr, c, h) || sprtFires(&tr, c-1, h) {
							t.Fatalf("ratio %g alpha %g rate %g hours %v: threshold %g, fires at it %t, at one less %t", ratio, alpha, rate, h, c, sprtFires(&tr, c, h), sprtFires(&tr, c-1, h))
						}
					}
				}
			}
		}
	}
}

// TestWindowSkippedDay: Samoa skipped Friday 30 December 2011 (23:59:59
// on the 29th at UTC-10 was followed by 00:00 on the 31st at UTC+14). A
// daily 22:00 + 4h window opening on the 29th stays open 4 hours of
// elapsed time, into the 31st; before this was fixed it closed at local
// midnight, two hours early.
func TestWindowSkippedDay(t *testing.T) {
	apia := mustZone("Pacific/Apia")
	w := Window{Start: 22 * time.Hour, Length: 4 * time.Hour, Zone: apia}
	open := time.Date(2011, 12, 29, 22, 0, 0, 0, apia)
	if got := w.Open(open.Add(-time.Hour)); !got.Equal(open) {
		t.Fatalf("Open before the window = %s, want %s", got, open)
	}
	inside := 0
	for m := open.Add(-time.Hour); m.Before(open.Add(6 * time.Hour)); m = m.Add(time.Minute) {
		if w.Contains(m) {
			inside++
			if m.Before(open) || !m.Before(open.Add(4*time.Hour)) {
				t.Errorf("%s is inside the window", m)
			}
			if got := w.Open(m); !got.Equal(m) {
				t.Errorf("Open(%s) = %s inside the window", m, got)
			}
		}
	}
	if inside != 4*60 {
		t.Errorf("the window opening at %s is open %d minutes, want 240", open, inside)
	}
}

// The three places where the engine is looser than a first reading of the
// docs, decided deliberately (see the doc comments of Cohort.Healthy,
// Approval and Fleet.Decide).

// TestBakeCountsReportingHealthy: the bake counts min(Healthy,
// Hosts-Silent). The engine cannot tell whether a silent host is among
// those that reported healthy, so it counts at most the hosts still
// reporting: silent hosts never make up a shortfall of healthy reports;
// a caller that knows which hosts went silent leaves them out of Healthy.
func TestBakeCountsReportingHealthy(t *testing.T) {
	plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour, MinHealthy: 0.8}}}))
	f := must(NewFleet(plan, "r1", testHosts(20, 0)))
	st := f.Decide(context.Background(), must(f.Start(Update{ID: "u", Kind: "k"}, t0)), Observation{At: t0}, t0).State
	at := t0.Add(time.Hour)
	for _, c := range []struct {
		healthy, silent int
		want            Action
	}{
		{10, 0, Advance}, // all 10 healthy
		{8, 2, Advance},  // 8 healthy, 2 silent: 8 of 10 reporting, the bake needs 8
		{9, 3, Hold},     // at most 7 of the 9 healthy still report
		{7, 0, Hold},     // 7 healthy: one short
	} {
		d := f.Decide(context.Background(), st, Observation{At: at, Updated: Cohort{Hosts: 10, Healthy: c.healthy, Silent: c.silent}}, at)
		if d.Action != c.want {
			t.Errorf("healthy %d silent %d of 10: %s %v, want %s", c.healthy, c.silent, d.Action, d.Reasons, c.want)
		}
	}
}

// TestApprovalDates: an undated approval counts (callers that cannot date
// approvals); one dated before the rollout started or after now does not,
// and the hold says so.
func TestApprovalDates(t *testing.T) {
	plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{100}, Bake: time.Hour, Approval: true}}}))
	f := must(NewFleet(plan, "r", []Host{{ID: "a"}}))
	st := must(f.Start(Update{ID: "u", Kind: "k"}, t0))
	now := t0.Add(time.Hour)
	for _, c := range []struct {
		name string
		at   time.Time
		want outcome
	}{
		{"undated", time.Time{}, outcome{Action: Advance, Next: now.Add(time.Hour), Step: 0, Phase: Running, Reasons: []string{`ring "all": step 1: 100% of the ring (1 hosts)`}}},
		{"at now", now, outcome{Action: Advance, Next: now.Add(time.Hour), Step: 0, Phase: Running, Reasons: []string{`ring "all": step 1: 100% of the ring (1 hosts)`}}},
		{"from the future", now.Add(time.Minute), outcome{Action: Hold, Step: -1, Phase: Running, Reasons: []string{
			`ring "all": entering this ring needs a human approval (an approval dated before the rollout started or after now does not count)`}}},
		{"before the start", t0.Add(-time.Minute), outcome{Action: Hold, Step: -1, Phase: Running, Reasons: []string{
			`ring "all": entering this ring needs a human approval (an approval dated before the rollout started or after now does not count)`}}},
	} {
		obs := Observation{At: now, Approvals: []Approval{{Ring: "all", By: "alice", At: c.at}}}
		if diff := cmp.Diff(c.want, outcomeOf(f.Decide(context.Background(), st, obs, now))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestFirstAdvanceOldObservation: the first advance accepts an observation
// older than the rollout's start. Before the first step nothing is exposed,
// so there are no updated hosts to hear from, and telemetry arrives late
// (the simulator's first observation is its telemetry delay old). Every
// later step needs an observation newer than the step's start.
func TestFirstAdvanceOldObservation(t *testing.T) {
	plan := must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour}}}))
	f := must(NewFleet(plan, "r1", testHosts(10, 0)))
	st := must(f.Start(Update{ID: "u", Kind: "k"}, t0))
	d := f.Decide(context.Background(), st, Observation{At: t0.Add(-5 * time.Minute)}, t0)
	if d.Action != Advance {
		t.Fatalf("first advance on a 5-minute-old observation: %s %v", d.Action, d.Reasons)
	}
	at := t0.Add(time.Hour)
	d = f.Decide(context.Background(), d.State, Observation{At: t0, Updated: Cohort{Hosts: 5, Healthy: 5}}, at)
	if d.Action != Hold {
		t.Errorf("second step on an observation from the step's start: %s %v, want hold", d.Action, d.Reasons)
	}
}

// TestCompileSpans: durations whose offsets would overflow (or leave the
// years a State can record) are refused with their limit.
func TestCompileSpans(t *testing.T) {
	ring := func(name string, bake time.Duration) Ring {
		return Ring{Name: name, Steps: []float64{100}, Bake: bake}
	}
	tests := []struct {
		name string
		p    Plan
		want string
	}{
		{"bake", Plan{Name: "p", Rings: []Ring{ring("all", 99999*time.Hour)}},
			`rollout: ring "all": bake must be at most 87600h, got 99999h`},
		{"defer", Plan{Name: "p", Rings: []Ring{ring("all", time.Hour)}, Tenants: []Tenant{{Name: "t", Defer: 1 << 62}}},
			`rollout: tenant "t": defer must be at most 87600h, got 1281023h53m38.427387904s`},
		{"nominal length", Plan{Name: "p", Rings: []Ring{
			{Name: "a", Steps: []float64{1, 2, 3, 100}, Bake: 8760 * time.Hour, TenantCap: 10}, // 5 steps
			{Name: "b", Steps: []float64{1, 2, 3, 4, 100}, Bake: 8760 * time.Hour},             // 5 more
			ring("c", time.Hour)}},
			`rollout: rollout "p": the rollout's nominal length (every step's bake, one after another) must be at most 87600h, got 87601h`},
		{"blackout", Plan{Name: "p", Rings: []Ring{ring("all", time.Hour)}, Blackouts: []Blackout{{Name: "b", From: t0, To: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
			`rollout: blackout "b": blackout must start and end within the years 0000-9999, got 2026-11-24T09:00:00Z to 10000-01-01T00:00:00Z`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.p)
			if diff := cmp.Diff(tc.want, errText(err)); diff != "" {
				t.Errorf("Compile (-want +got):\n%s", diff)
			}
		})
	}
	// Exactly at the limit compiles.
	if _, err := Compile(Plan{Name: "p", Rings: []Ring{{Name: "a", Steps: []float64{10, 100}, Bake: MaxSpan / 2}}}); err != nil {
		t.Errorf("a nominal length of exactly %s: %v", MaxSpan, err)
	}
}
