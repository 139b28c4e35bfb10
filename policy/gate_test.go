package policy

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

type fakeGate struct{}

func (fakeGate) Evaluate(context.Context, rollout.GateInput) (rollout.GateVerdict, error) {
	return rollout.GateVerdict{}, nil
}

// fakeLoader records the specs it is given and returns a gate whose digest
// is the content of its first Rego file.
type fakeLoader struct{ specs []GateSpec }

func (l *fakeLoader) LoadGate(fsys fs.FS, spec GateSpec) (rollout.Gate, string, hcl.Diagnostics) {
	l.specs = append(l.specs, spec)
	src, err := fs.ReadFile(fsys, spec.Rego[0])
	if err != nil {
		r := spec.Attrs["rego"]
		return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read Rego", Detail: err.Error(), Subject: &r}}
	}
	return fakeGate{}, string(src), nil
}

const gatePolicy = `rollout "r" {
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
  gate "freeze" {
    rego    = ["gates/freeze.rego", "gates/lib.rego"]
    data    = "gates/holidays.json"
    query   = "data.x.hold"
    timeout = "250ms"
  }
}
`

func TestGateSpec(t *testing.T) {
	fsys := fstest.MapFS{
		"p.hcl":             {Data: []byte(gatePolicy)},
		"gates/freeze.rego": {Data: []byte("package x")},
	}
	l := &fakeLoader{}
	p, diags := Load(fsys, WithGateLoader(l))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pos := func(line, col int) hcl.Pos { return hcl.Pos{Line: line, Column: col} }
	want := []GateSpec{{
		Name:    "freeze",
		Rego:    []string{"gates/freeze.rego", "gates/lib.rego"},
		Data:    []string{"gates/holidays.json"},
		Query:   "data.x.hold",
		Timeout: 250 * time.Millisecond,
		Range:   hcl.Range{Filename: "p.hcl", Start: pos(6, 3), End: pos(6, 16)},
		Attrs: map[string]hcl.Range{
			"rego":    {Filename: "p.hcl", Start: pos(7, 15), End: pos(7, 54)},
			"data":    {Filename: "p.hcl", Start: pos(8, 15), End: pos(8, 36)},
			"query":   {Filename: "p.hcl", Start: pos(9, 15), End: pos(9, 28)},
			"timeout": {Filename: "p.hcl", Start: pos(10, 15), End: pos(10, 22)},
		},
	}}
	if diff := cmp.Diff(want, l.specs, cmpopts.IgnoreFields(hcl.Pos{}, "Byte")); diff != "" {
		t.Errorf("specs (-want +got):\n%s", diff)
	}
	plan, _ := p.Plan("r")
	if len(plan.Gates) != 1 || plan.Gates[0].Digest != "package x" || plan.Gates[0].Src.Line != 6 {
		t.Errorf("gates = %+v", plan.Gates)
	}

	// Editing the gate's Rego changes the plan's digest.
	fsys["gates/freeze.rego"] = &fstest.MapFile{Data: []byte("package y")}
	p2, _ := Load(fsys, WithGateLoader(&fakeLoader{}))
	plan2, _ := p2.Plan("r")
	if plan.Digest() == plan2.Digest() {
		t.Error("editing a gate did not change the plan's digest")
	}

	// The loader's diagnostics are passed on.
	delete(fsys, "gates/freeze.rego")
	_, diags = Load(fsys, WithGateLoader(&fakeLoader{}))
	want2 := []diag{{"p.hcl:7:15", "Cannot read Rego", ""}}
	if diff := cmp.Diff(want2, summarize(diags, want2)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGatePathOutsideDirectory(t *testing.T) {
	src := "rollout \"r\" {" + validRing + "  gate \"g\" {\n    rego = \"/etc/x.rego\"\n  }\n}\n"
	l := &fakeLoader{}
	_, diags := Load(fstest.MapFS{"p.hcl": {Data: []byte(src)}}, WithGateLoader(l))
	want := []diag{{"p.hcl:7:12", "Invalid path", "not a path inside the policy directory"}}
	if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(l.specs) != 0 {
		t.Error("the GateLoader was called for an invalid gate")
	}
}

// A gate file that is a symlink out of the policy directory is not read.
func TestLoadPathsRefusesSymlinkOutOfDirectory(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.rego")
	if err := os.WriteFile(secret, []byte("package secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "gates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "gates", "freeze.rego")); err != nil {
		t.Fatal(err)
	}
	src := "rollout \"r\" {\n  ring \"all\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n  gate \"freeze\" {\n    rego = \"gates/freeze.rego\"\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := LoadPaths([]string{dir}, WithGateLoader(&fakeLoader{}))
	if !diags.HasErrors() {
		t.Fatal("a gate symlinked out of the policy directory was read")
	}
}
