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
)

// sampleState is a state with every field set, as a rollout that was
// halted and resumed leaves it.
func sampleState(t testing.TB) State {
	f := must(NewFleet(must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour}}})), "r1", testHosts(10, 0)))
	st := must(f.Start(Update{ID: "u1", Kind: "content", Urgency: "routine"}, t0))
	st = f.Decide(context.Background(), st, Observation{}, t0).State
	st.GA = t0.Add(time.Hour)
	st = Pause(st, "looking", t0.Add(time.Minute))
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
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseState(data)
		if err != nil {
			return
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
	})
}
