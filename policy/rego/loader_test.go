package rego_test

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
	"github.com/ringwise/ringwise/rollout"
)

const loaderPolicy = `rollout "content" {
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
  gate "freeze" {
    rego    = GATE_REGO
    data    = GATE_DATA
    query   = GATE_QUERY
    timeout = "50ms"
  }
}
`

// load loads a policy with one gate over files.
func load(t *testing.T, regoPaths, dataPaths, query string, files map[string]string, opts ...rego.Option) (*policy.Policy, hcl.Diagnostics, *rego.Loader) {
	t.Helper()
	src := strings.NewReplacer("GATE_REGO", regoPaths, "GATE_DATA", dataPaths, "GATE_QUERY", query).Replace(loaderPolicy)
	fsys := fstest.MapFS{"main.hcl": {Data: []byte(src)}}
	for name, s := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(s)}
	}
	l := rego.NewLoader(opts...)
	p, diags := policy.Load(fsys, policy.WithGateLoader(l))
	return p, diags, l
}

const freezeRego = `package gates.freeze

hold contains msg if {
	input.now in data.days
	msg := "frozen"
}
`

func TestLoaderLoads(t *testing.T) {
	p, diags, _ := load(t, `"gates/freeze.rego"`, `["gates/days.json"]`, `"data.gates.freeze"`, map[string]string{
		"gates/freeze.rego": freezeRego,
		"gates/days.json":   `{"days": ["2026-11-24T09:00:00Z"]}`,
	})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pl, _ := p.Plan("content")
	if len(pl.Gates) != 1 {
		t.Fatalf("gates: %+v", pl.Gates)
	}
	g := pl.Gates[0].Gate.(*rego.Gate)
	if g.Timeout() != 50*time.Millisecond || g.Package() != "data.gates.freeze" || pl.Gates[0].Digest != g.Digest() {
		t.Errorf("timeout %s package %s digest %s", g.Timeout(), g.Package(), pl.Gates[0].Digest)
	}
	v, err := g.Evaluate(context.Background(), rollout.GateInput{Now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)})
	want := rollout.GateVerdict{Hold: []rollout.GateMessage{{Msg: "frozen", Src: rollout.Source{File: "gates/freeze.rego", Line: 3, Column: 1}}}}
	if err != nil || !cmp.Equal(want, v) {
		t.Errorf("verdict %+v, %v", v, err)
	}
}

// Diagnostics point into the Rego or data file when the problem is there,
// and at the gate block's attribute otherwise; rendered with the loader's
// Files they show the source line.
func TestLoaderDiagnostics(t *testing.T) {
	tests := []struct {
		name            string
		regoPaths, data string
		query           string
		files           map[string]string
		opts            []rego.Option
		want            string
	}{
		{"syntax error", `"gates/freeze.rego"`, `[]`, `""`, map[string]string{"gates/freeze.rego": "package gates.freeze\n\nhold contains msg if {\n\tmsg := \"x\"\n"}, nil,
			"gates/freeze.rego:5:1: Rego syntax error: Gate \"freeze\": unexpected eof token (rego_parse_error)\n    \n    ^\n"},
		{"sandbox", `"gates/freeze.rego"`, `[]`, `""`, map[string]string{"gates/freeze.rego": "package gates.freeze\n\nhold contains msg if {\n\tr := http.send({\"url\": \"https://x\", \"method\": \"get\"})\n\tmsg := r.body\n}\n"}, nil,
			"gates/freeze.rego:4:7: Rego type error: Gate \"freeze\": undefined function http.send: removed from the gate sandbox (not deterministic or does I/O) (rego_type_error)\n    \tr := http.send({\"url\": \"https://x\", \"method\": \"get\"})\n    \t     ^\n"},
		{"bad data", `"gates/freeze.rego"`, `"gates/days.yaml"`, `""`, map[string]string{"gates/freeze.rego": freezeRego, "gates/days.yaml": "days: [1, 2\n"}, nil,
			"gates/days.yaml:1:1: Invalid gate data: Gate \"freeze\": not valid YAML: line 1: did not find expected ',' or ']'\n    days: [1, 2\n    ^\n"},
		{"missing file", `["gates/nope.rego"]`, `[]`, `""`, nil, nil,
			"main.hcl:7:15: Cannot read gate file: Gate \"freeze\": gates/nope.rego: open gates/nope.rego: file does not exist.\n        rego    = [\"gates/nope.rego\"]\n                  ^^^^^^^^^^^^^^^^^^^\n"},
		{"query undefined", `"gates/freeze.rego"`, `[]`, `"data.gates.nope"`, map[string]string{"gates/freeze.rego": freezeRego}, nil,
			"main.hcl:9:15: Invalid gate query: Gate \"freeze\": query data.gates.nope is undefined: no module of the gate declares package gates.nope with a hold, halt or rollback rule\n        query   = \"data.gates.nope\"\n                  ^^^^^^^^^^^^^^^^^\n"},
		{"no outputs", `"gates/freeze.rego"`, `[]`, `""`, map[string]string{"gates/freeze.rego": "package gates.freeze\n\nallow := true\n"}, nil,
			"gates/freeze.rego:1:1: Invalid gate query: Gate \"freeze\": the gate defines no hold, halt or rollback rule, so it can never say anything (see the output contract in the package doc)\n    package gates.freeze\n    ^\n"},
		{"bad loader option", `"gates/freeze.rego"`, `[]`, `""`, map[string]string{"gates/freeze.rego": freezeRego}, []rego.Option{rego.WithTimeout(-1)},
			"main.hcl:10:15: Invalid gate loader option: rego: timeout must be in (0, 5s], got -1ns\n        timeout = \"50ms\"\n                  ^^^^^^\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, diags, l := load(t, tc.regoPaths, tc.data, tc.query, tc.files, tc.opts...)
			if !diags.HasErrors() {
				t.Fatal("loaded")
			}
			files := maps.Clone(p.Files)
			maps.Copy(files, l.Files())
			var b bytes.Buffer
			policy.WriteDiagnostics(&b, files, diags)
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// Paths of a policy loaded by LoadPaths are named after the policy file's
// directory, like the policy file itself.
func TestLoaderPaths(t *testing.T) {
	l := rego.NewLoader()
	p, diags := policy.LoadPaths([]string{"../../examples/policies"}, policy.WithGateLoader(l))
	if diags.HasErrors() {
		var b bytes.Buffer
		policy.WriteDiagnostics(&b, p.Files, diags)
		t.Fatal(b.String())
	}
	pl, ok := p.Plan("driver")
	if !ok {
		t.Fatal("no driver rollout")
	}
	var names []string
	for _, g := range pl.Gates {
		names = append(names, g.Name)
	}
	if diff := cmp.Diff([]string{"freeze", "kernel-approval", "four-eyes", "critical-tier"}, names); diff != "" {
		t.Errorf("gates (-want +got):\n%s", diff)
	}
	if _, ok := l.Files()["../../examples/policies/gates/freeze.rego"]; !ok {
		t.Errorf("files: %v", slicesOf(maps.Keys(l.Files())))
	}
}

func slicesOf[T any](seq func(func(T) bool)) []T {
	var out []T
	for x := range seq {
		out = append(out, x)
	}
	return out
}
