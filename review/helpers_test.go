package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/transcript"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

// update rewrites the golden files in testdata: -rewrite, the one flag of
// internal/transcript.
var update = transcript.Rewrite

// fakeGates is a policy.GateLoader without OPA: a gate's digest is the
// hash of its Rego files and it always lets the transition proceed.
type fakeGates struct{}

func (fakeGates) LoadGate(fsys fs.FS, spec policy.GateSpec) (rollout.Gate, string, hcl.Diagnostics) {
	h := sha256.New()
	for _, p := range spec.Rego {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read gate", Detail: err.Error(), Subject: spec.Range.Ptr()}}
		}
		h.Write(b)
	}
	return allow{}, hex.EncodeToString(h.Sum(nil))[:16], nil
}

type allow struct{}

func (allow) Evaluate(context.Context, rollout.GateInput) (rollout.GateVerdict, error) {
	return rollout.GateVerdict{}, nil
}

// loadSide loads a policy file or directory under testdata.
func loadSide(t testing.TB, path string) Side {
	t.Helper()
	p, diags := policy.LoadPaths([]string{path}, policy.WithGateLoader(fakeGates{}))
	if diags.HasErrors() {
		t.Fatalf("%s: %v", path, diags)
	}
	return Side{Label: path, Policy: p}
}

func loadScenario(t testing.TB, path string) *simulate.Scenario {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc, _, diags := simulate.ParseScenario(src, path)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", path, diags)
	}
	return sc
}

// suiteCases builds the cases of testdata/suite.hcl under base and head.
func suiteCases(t testing.TB, base, head Side) []Case {
	t.Helper()
	const name = "testdata/suite.hcl"
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	s, _, diags := ParseSuite(src, name)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var cases []Case
	for _, e := range s.Scenarios {
		p := filepath.Join("testdata", filepath.FromSlash(e.Path))
		if !strings.HasSuffix(p, ".hcl") {
			p = filepath.Join(p, "scenario.hcl")
		}
		cases = append(cases, Case{Path: filepath.ToSlash(p), Scenario: loadScenario(t, p), Base: base, Head: head, Budgets: e.Budgets})
	}
	return cases
}

// golden compares got with testdata/NAME, or rewrites it with -rewrite.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -rewrite to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
