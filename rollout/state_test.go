package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ringwise/ringwise/internal/fuzzbudget"
)

// sampleState is a state with every field set, as a rollout that was
// halted and resumed leaves it.
func sampleState(t testing.TB) State {
	f := must(NewFleet(must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour}}})), "r1", testHosts(10, 0)))
	st := must(f.Start(Update{ID: "u1", Kind: "content", Urgency: "routine"}, t0))
	st = f.Decide(context.Background(), st, Observation{}, t0).State
	st.GA = t0.Add(time.Hour)
	st = must(Pause(st, "looking", t0.Add(time.Minute)))
	st.Phase, st.Stopped = Halted, "trigger: it broke"
	st = must(Resume(st, Observation{Updated: Cohort{Hosts: 5, Silent: 1, Signals: map[string]Signal{"crash": {Count: 2, Hours: 1.5}}}}, "bob", t0.Add(2*time.Minute)))
	return st
}

// genState draws a state with UTC times at nanosecond precision.
func genState(t *rapid.T) State {
	tm := func(label string) time.Time {
		return t0.Add(time.Duration(rapid.Int64Range(-1e15, 1e15).Draw(t, label)))
	}
	s := State{
		Version:     StateVersion,
		RolloutID:   rapid.StringMatching(`[a-z0-9-]{1,12}`).Draw(t, "id"),
		Plan:        rapid.String().Draw(t, "plan"),
		PlanDigest:  rapid.StringMatching(`[0-9a-f]{16}`).Draw(t, "digest"),
		Update:      Update{ID: rapid.String().Draw(t, "update"), Kind: "content", Urgency: rapid.SampledFrom([]string{"", "emergency"}).Draw(t, "urgency")},
		Phase:       rapid.SampledFrom([]Phase{Running, Halted, RolledBack, Complete}).Draw(t, "phase"),
		Started:     tm("started"),
		Ring:        rapid.IntRange(0, 5).Draw(t, "ring"),
		RingName:    rapid.String().Draw(t, "ringName"),
		Step:        rapid.IntRange(-1, 5).Draw(t, "step"),
		StepStarted: tm("stepStarted"),
		Paused:      rapid.Bool().Draw(t, "paused"),
		Last:        tm("last"),
	}
	if s.Paused {
		s.PauseReason = rapid.StringN(1, 20, -1).Draw(t, "pauseReason")
	}
	if rapid.Bool().Draw(t, "ga") {
		s.GA = tm("gaTime")
	}
	if rapid.Bool().Draw(t, "acked") {
		s.Acked = &Cohort{Hosts: rapid.IntRange(0, 1000).Draw(t, "ackHosts"), Silent: rapid.IntRange(0, 10).Draw(t, "ackSilent")}
		if rapid.Bool().Draw(t, "ackSignals") {
			s.Acked.Signals = map[string]Signal{"crash": {Count: rapid.Float64Range(0, 1e6).Draw(t, "count"), Hours: rapid.Float64Range(0, 1e9).Draw(t, "hours")}}
		}
	}
	for range rapid.IntRange(0, 3).Draw(t, "log") {
		e := Entry{At: tm("at"), Action: Action(rapid.IntRange(0, 4).Draw(t, "action")), Ring: rapid.String().Draw(t, "entryRing"), Step: rapid.IntRange(-1, 5).Draw(t, "entryStep")}
		for range rapid.IntRange(0, 2).Draw(t, "reasons") {
			e.Reasons = append(e.Reasons, Reason{Rule: rapid.String().Draw(t, "rule"), Message: rapid.String().Draw(t, "msg"),
				Src: Source{File: rapid.StringMatching(`[a-z]{0,5}`).Draw(t, "file"), Line: rapid.IntRange(0, 99).Draw(t, "line")}})
		}
		s.Log = append(s.Log, e)
	}
	return s
}

// TestStateRoundTrip: MarshalState then ParseState gives back the same
// State, times included (UTC, nanoseconds), and marshals to the same bytes.
func TestStateRoundTrip(t *testing.T) {
	check := func(t interface {
		Fatalf(string, ...any)
	}, st State) {
		b, err := MarshalState(st)
		if err != nil {
			t.Fatalf("MarshalState: %v", err)
		}
		got, err := ParseState(b)
		if err != nil {
			t.Fatalf("ParseState: %v\n%s", err, b)
		}
		if diff := cmp.Diff(st, got); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		if b2 := must(MarshalState(got)); string(b2) != string(b) {
			t.Fatalf("re-marshalled state differs:\n%s\n%s", b, b2)
		}
	}
	check(t, sampleState(t))
	rapid.Check(t, func(t *rapid.T) { check(t, genState(t)) })
}

func TestParseStateErrors(t *testing.T) {
	valid := string(must(MarshalState(sampleState(t))))
	tests := []struct {
		name    string
		in      string
		want    string
		version bool // errors.Is(err, ErrStateVersion)
	}{
		{"empty", ``, `rollout: parse state: unexpected end of JSON input`, false},
		{"truncated", valid[:len(valid)/2], `rollout: parse state: unexpected end of JSON input`, false},
		{"not an object", `[1]`, `rollout: parse state: json: cannot unmarshal array into Go value of type struct { Version *int "json:\"version\"" }`, false},
		{"missing version", `{"rollout_id":"r1"}`, `rollout: unknown state version: no version field`, true},
		{"null version", `{"version":null}`, `rollout: unknown state version: no version field`, true},
		{"unknown version", `{"version":2,"rollout_id":"r1"}`, `rollout: unknown state version 2 (this build reads 1)`, true},
		{"version as a string", `{"version":"1"}`, `rollout: parse state: json: cannot unmarshal string into Go struct field .version of type int`, false},
		{"unknown field", strings.Replace(valid, `{"version":1,`, `{"version":1,"colour":"blue",`, 1), `rollout: parse state: json: unknown field "colour"`, false},
		{"trailing data", valid + ` {}`, `rollout: parse state: invalid character '{' after top-level value`, false},
		{"empty rollout id", `{"version":1,"phase":"running"}`, `rollout: parse state: empty rollout_id`, false},
		{"unknown phase", `{"version":1,"rollout_id":"r1","phase":"exploded"}`, `rollout: parse state: unknown phase "exploded"`, false},
		{"negative position", `{"version":1,"rollout_id":"r1","phase":"running","ring":0,"step":-2}`, `rollout: parse state: negative position ring 0 step -2`, false},
		{"unknown action", strings.Replace(valid, `"action":"hold"`, `"action":"explode"`, 1), `rollout: parse state: rollout: unknown action "explode"`, false},
		// Strict keys: before this was fixed the last of two keys won and
		// "Phase" set phase.
		{"duplicate key", strings.Replace(valid, `"phase":"running"`, `"phase":"halted","phase":"running"`, 1), `rollout: parse state: duplicate key "phase" at the top level`, false},
		{"duplicate nested key", strings.Replace(valid, `"kind":"content"`, `"kind":"content","kind":"sensor"`, 1), `rollout: parse state: duplicate key "kind" at update`, false},
		{"duplicate map key", strings.Replace(valid, `"crash":{`, `"crash":{"count":0},"crash":{`, 1), `rollout: parse state: duplicate key "crash" at acked.signals`, false},
		{"case variant", strings.Replace(valid, `"phase":"running"`, `"Phase":"running"`, 1), `rollout: parse state: field "Phase" at the top level must be written "phase"`, false},
		{"case variant beside the key", strings.Replace(valid, `"phase":"running"`, `"phase":"running","PHASE":"halted"`, 1), `rollout: parse state: field "PHASE" at the top level must be written "phase"`, false},
		{"nested case variant", strings.Replace(valid, `"message":"resumed by bob"`, `"Message":"resumed by bob"`, 1), `rollout: parse state: field "Message" at log[2].reasons[0] must be written "message"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseState([]byte(tc.in))
			got := "<nil>"
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseState error (-want +got):\n%s", diff)
			}
			if errors.Is(err, ErrStateVersion) != tc.version {
				t.Errorf("errors.Is(err, ErrStateVersion) = %t, want %t", !tc.version, tc.version)
			}
		})
	}
}

// FuzzParseState: ParseState never panics, and whatever it accepts
// round-trips. An empty list or map written by hand (`"reasons":[]`) comes
// back as nil, since MarshalState omits empty ones: equal as far as the
// engine is concerned, hence EquateEmpty here (states the engine writes
// round-trip exactly: TestStateRoundTrip).
func FuzzParseState(f *testing.F) {
	valid := must(MarshalState(sampleState(f)))
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(`{"version":1,"rollout_id":"r1","phase":"running","step":-1}`))
	f.Add([]byte(`{"version":2,"rollout_id":"r1"}`))
	f.Add([]byte(`{"rollout_id":"r1"}`))
	f.Add([]byte(`{"version":1,"rollout_id":"r1","phase":"complete","acked":{"hosts":1,"signals":{"x":{"count":1}}},"log":[{"at":"2026-01-01T00:00:00+05:30","action":"advance","ring":"a","step":0}]}`))
	f.Add([]byte(`{"version":1,"rollout_id":"r1","phase":"running","Phase":"halted","ring":0,"step":-1}`))
	f.Add([]byte(`{"version":1,"rollout_id":"r1","phase":"halted","phase":"running","plan":"content","ring":1,"step":0,"last":"9999-12-31T23:59:59Z"}`))
	// Every parsed state is also given to the controller and host calls
	// of a fleet, at a time after its last call: the answers must be
	// decisions whose states can be saved.
	plan := must(Compile(Plan{Name: "content",
		Rings:    []Ring{{Name: "canary", Select: Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: time.Hour, Cover: []string{"os"}}, {Name: "broad", Steps: []float64{10, 100}, Bake: time.Hour, TenantCap: 50}},
		Triggers: []Trigger{{Name: "crash-rate", Kind: Absolute, Signal: "crash", Threshold: 0.1, Action: Rollback}, {Name: "seq", Kind: Sequential, Signal: "crash", Rate: 0.01, Ratio: 2, Alpha: 0.01, Action: Halt}},
		Tenants:  []Tenant{{Name: "t", Select: Selector{{Key: TenantLabel, Values: []string{"t1"}}}, Defer: time.Hour, Maintenance: []Window{{Start: time.Hour, Length: 4 * time.Hour, Zone: london}}}},
	}))
	fleet := must(NewFleet(plan, "r1", fuzzHosts(12)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzbudget.Default.Run(t, len(data), func() { fuzzParseState(t, fleet, data) })
	})
}

// fuzzParseState is one input of FuzzParseState.
func fuzzParseState(t *testing.T, fleet *Fleet, data []byte) {
	st, err := ParseState(data)
	if err != nil {
		return
	}
	for _, later := range []time.Duration{0, time.Minute, 3 * time.Hour} {
		now := st.Last.Add(later)
		if !recordable(now) {
			continue
		}
		obs := Observation{At: now, Updated: Cohort{Hosts: 3, Healthy: 3, Signals: map[string]Signal{"crash": {Count: 1, Hours: 5}}}}
		d := fleet.Decide(context.Background(), st, obs, now)
		checkSaved(t, "Decide", d.State)
		for i := range fleet.Len() {
			fleet.EligibleAt(i, &st, now)
		}
	}
	b, err := MarshalState(st)
	if err != nil {
		t.Fatalf("parsed state does not marshal: %v", err)
	}
	again, err := ParseState(b)
	if err != nil {
		t.Fatalf("re-parse: %v\n%s", err, b)
	}
	if diff := cmp.Diff(st, again, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("round trip (-first +second):\n%s", diff)
	}
}
