package rego_test

import (
	"context"
	"fmt"
	"os"
	"testing/fstest"
	"time"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
	"github.com/ringwise/ringwise/rollout"
)

// Compile a gate once, evaluate it for each transition.
func ExampleCompile() {
	g, err := rego.Compile(rego.Spec{
		Name: "freeze",
		Modules: []rego.File{{Name: "freeze.rego", Src: []byte(`package ringwise.gates.freeze

today := time.format([time.now_ns(), "UTC", "2006-01-02"])

hold contains msg if {
	today in data.holidays.days
	msg := sprintf("change freeze: %s is a company holiday", [today])
}
`)}},
		Data: []rego.File{{Name: "holidays.json", Src: []byte(`{"holidays": {"days": ["2026-12-25"]}}`)}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, day := range []int{24, 25} {
		in := rollout.GateInput{Now: time.Date(2026, 12, day, 9, 0, 0, 0, time.UTC), Update: rollout.Update{ID: "c-1", Kind: "content"}}
		v, err := g.Evaluate(context.Background(), in)
		fmt.Printf("Dec %d: %+v %v\n", day, v.Hold, err)
	}
	// Output:
	// Dec 24: [] <nil>
	// Dec 25: [{Msg:change freeze: 2026-12-25 is a company holiday Src:freeze.rego:5:1}] <nil>
}

// Every compile error names its file and line; a call that leaves the
// sandbox does not compile.
func ExampleCompile_error() {
	_, err := rego.Compile(rego.Spec{Modules: []rego.File{{Name: "gates/ip.rego", Src: []byte(`package gates.ip

hold contains msg if {
	resp := http.send({"method": "get", "url": "https://status.example.com"})
	msg := resp.body.reason
}
`)}}})
	for _, e := range rego.Errors(err) {
		fmt.Println(e)
	}
	// Output:
	// gates/ip.rego:4:10: rego: rego_type_error: undefined function http.send: removed from the gate sandbox (not deterministic or does I/O)
}

// Load a policy whose rollout has a Rego gate, and let the engine consult
// it.
func ExampleNewLoader() {
	fsys := fstest.MapFS{
		"sensor.hcl": {Data: []byte(`
rollout "sensor" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  gate "no-fridays" {
    rego = "gates/fridays.rego"
  }
}
`)},
		"gates/fridays.rego": {Data: []byte(`package gates.fridays

hold contains "no sensor rollouts on a Friday" if {
	time.weekday(time.now_ns()) == "Friday"
}
`)},
	}
	p, diags := policy.Load(fsys, policy.WithGateLoader(rego.NewLoader()))
	if diags.HasErrors() {
		policy.WriteDiagnostics(os.Stdout, p.Files, diags)
		return
	}
	plan, _ := p.Plan("sensor")
	fleet, _ := rollout.NewFleet(plan, "s-7.21", []rollout.Host{{ID: "h1"}})
	friday := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	st, _ := fleet.Start(rollout.Update{ID: "s-7.21", Kind: "sensor"}, friday)
	d := fleet.Decide(context.Background(), st, rollout.Observation{At: friday}, friday)
	fmt.Println(d.Action, d.Reasons[0])
	// Output:
	// hold gate "no-fridays" (gates/fridays.rego:3:1): hold: no sensor rollouts on a Friday
}
