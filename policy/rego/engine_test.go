package rego_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/policy/rego"
	"github.com/ringwise/ringwise/rollout"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// gates used through the engine, by name.
var engineGates = map[string]string{
	"allow":    "package g\n\nhold contains \"never\" if false\n",
	"hold":     "package g\n\nhold contains \"not today\" if true\n",
	"halt":     "package g\n\nhalt contains \"stop the line\" if true\n",
	"rollback": "package g\n\nrollback contains \"revert\" if true\n",
	"error":    "package g\n\nn := 1 if input.now\n\nn := 2 if input.plan\n\nhold contains \"x\" if n > 0\n",
	"timeout":  "package g\n\nhold contains \"x\" if count([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000)]) > 0\n",
	"undef":    "package g\n\nhold := {\"x\"} if input.plan == \"other\"\n",
}

// fleet returns a fleet whose plan has one Rego gate.
func fleet(t *testing.T, gate string) *rollout.Fleet {
	t.Helper()
	timeout := rego.MaxTimeout // -race on a loaded machine is slow
	if gate == "timeout" {
		timeout = 20 * time.Millisecond
	}
	g, err := rego.Compile(rego.Spec{Name: gate, Modules: []rego.File{{Name: "gates/" + gate + ".rego", Src: []byte(engineGates[gate])}}}, rego.WithTimeout(timeout))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := rollout.Compile(rollout.Plan{
		Name: "content",
		Rings: []rollout.Ring{
			{Name: "canary", Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute},
			{Name: "broad", Steps: []float64{50, 100}, Bake: time.Hour, Approval: true},
		},
		Triggers: []rollout.Trigger{{Name: "crash-rate", Kind: rollout.Absolute, Signal: "crash", Threshold: 0.1, Action: rollout.Rollback}},
		Gates:    []rollout.GateBinding{{Name: gate, Gate: g, Digest: g.Digest(), Src: rollout.Source{File: "gates.hcl", Line: 9, Column: 3}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []rollout.Host
	for i := range 100 {
		ch := "stable"
		if i < 10 {
			ch = "internal"
		}
		hosts = append(hosts, rollout.Host{ID: fmt.Sprintf("h%03d", i), Labels: map[string]string{"channel": ch}})
	}
	f, err := rollout.NewFleet(plan, "r1", hosts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func healthy(at time.Time, hosts int) rollout.Observation {
	return rollout.Observation{At: at, Updated: rollout.Cohort{Hosts: hosts, Healthy: hosts, Signals: map[string]rollout.Signal{"crash": {}}}}
}

// baking returns a state at canary step 1, started at t0.
func baking(t *testing.T, f *rollout.Fleet) rollout.State {
	st, err := f.Start(rollout.Update{ID: "c-1", Kind: "content"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	st.Step, st.StepStarted = 0, t0
	return st
}

func rules(d rollout.Decision) []string {
	var out []string
	for _, r := range d.Reasons {
		out = append(out, r.Rule)
	}
	return out
}

// Whatever a gate says, it never makes the rollout advance where the plan
// holds: an unfinished bake, a missing approval, a pause.
func TestGateCannotAdvanceAHeldPlan(t *testing.T) {
	for name := range engineGates {
		t.Run(name, func(t *testing.T) {
			f := fleet(t, name)
			st := baking(t, f)

			d := f.Decide(context.Background(), st, healthy(t0.Add(10*time.Minute), 10), t0.Add(10*time.Minute))
			if d.Action != rollout.Hold || !cmp.Equal(rules(d), []string{`ring "canary"`}) || !strings.Contains(d.Reasons[0].Message, "baking until") {
				t.Errorf("during the bake: %s %v", d.Action, d.Reasons)
			}

			// Bake over, but broad needs an approval nobody gave.
			later := t0.Add(31 * time.Minute)
			d = f.Decide(context.Background(), st, healthy(later, 10), later)
			if d.Action != rollout.Hold || !cmp.Equal(rules(d), []string{`ring "broad"`}) {
				t.Errorf("without approval: %s %v", d.Action, d.Reasons)
			}

			paused, err := rollout.Pause(st, "incident review", t0)
			if err != nil {
				t.Fatal(err)
			}
			obs := healthy(later, 10)
			obs.Approvals = []rollout.Approval{{Ring: "broad", By: "ana"}}
			d = f.Decide(context.Background(), paused, obs, later)
			if d.Action != rollout.Hold || !cmp.Equal(rules(d), []string{"pause"}) {
				t.Errorf("paused: %s %v", d.Action, d.Reasons)
			}

			// Everything allows: only now does the gate decide.
			d = f.Decide(context.Background(), st, obs, later)
			want := map[string]rollout.Action{"allow": rollout.Advance, "hold": rollout.Hold, "halt": rollout.Halt, "rollback": rollout.Rollback,
				"error": rollout.Hold, "timeout": rollout.Hold, "undef": rollout.Hold}[name]
			if d.Action != want {
				t.Errorf("approved: %s %v, want %s", d.Action, d.Reasons, want)
			}
		})
	}
}

// A rollback is never held by a gate, however it answers.
func TestGateCannotBlockARollback(t *testing.T) {
	for name := range engineGates {
		t.Run(name, func(t *testing.T) {
			f := fleet(t, name)
			st := baking(t, f)
			at := t0.Add(40 * time.Minute)
			obs := healthy(at, 10)
			obs.Updated.Signals = map[string]rollout.Signal{"crash": {Count: 5}}
			obs.Approvals = []rollout.Approval{{Ring: "broad", By: "ana"}}
			d := f.Decide(context.Background(), st, obs, at)
			if d.Action != rollout.Rollback || d.State.Phase != rollout.RolledBack || !cmp.Equal(rules(d), []string{`trigger "crash-rate"`}) {
				t.Errorf("crashes: %s %v", d.Action, d.Reasons)
			}
		})
	}
}

// A gate's answer becomes reasons naming the gate and its Rego rule; a
// gate that fails holds with a reason naming it.
func TestGateReasons(t *testing.T) {
	at := t0.Add(31 * time.Minute)
	obs := healthy(at, 10)
	obs.Approvals = []rollout.Approval{{Ring: "broad", By: "ana"}}
	tests := []struct {
		gate string
		want []rollout.Reason
	}{
		{"hold", []rollout.Reason{{Rule: `gate "hold"`, Src: rollout.Source{File: "gates/hold.rego", Line: 3, Column: 1}, Message: "hold: not today"}}},
		{"halt", []rollout.Reason{{Rule: `gate "halt"`, Src: rollout.Source{File: "gates/halt.rego", Line: 3, Column: 1}, Message: "halt: stop the line"}}},
		{"error", []rollout.Reason{{Rule: `gate "error"`, Src: rollout.Source{File: "gates.hcl", Line: 9, Column: 3},
			Message: "gate failed, holding: gates/error.rego:5:1: rego: eval_conflict_error: rule data.g.n produced conflicting values:\n  1 at gates/error.rego:3\n  2 at gates/error.rego:5"}}},
		{"timeout", []rollout.Reason{{Rule: `gate "timeout"`, Src: rollout.Source{File: "gates.hcl", Line: 9, Column: 3},
			Message: "gate failed, holding: rego: evaluation ran past its 20ms deadline: context deadline exceeded"}}},
		{"undef", []rollout.Reason{{Rule: `gate "undef"`, Src: rollout.Source{File: "gates.hcl", Line: 9, Column: 3},
			Message: "gate failed, holding: gates/undef.rego:3:1: rego: ringwise_output_error: hold: the rule is undefined; write `hold contains msg if { ... }` so that it is empty, not undefined, when nothing applies"}}},
	}
	for _, tc := range tests {
		t.Run(tc.gate, func(t *testing.T) {
			f := fleet(t, tc.gate)
			d := f.Decide(context.Background(), baking(t, f), obs, at)
			if diff := cmp.Diff(tc.want, d.Reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}
