package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const simScenario = `scenario "tiny" {
  policy  = "policy.hcl"
  horizon = "3h"
  sample  = "30m"
  fleet {
    cohort "canary" {
      hosts    = 3
      labels   = { channel = "internal" }
      check_in = "5m"
    }
    cohort "rest" {
      hosts    = 40
      labels   = { channel = "stable" }
      check_in = "10m"
    }
  }
  update {
    id      = "u1"
    kind    = "content"
    release = "2026-02-02T08:00:00Z"
  }
  fault "loop" {
    mode = "boot_loop"
  }
}
`

const simPolicy = `rollout "staged" {
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "30m"
  }
  ring "rest" {
    steps = [100]
    bake  = "30m"
  }
  trigger "quiet" {
    signal = "silent"
    above  = 0.1
    action = "rollback"
  }
}
`

func simDir(t *testing.T, scenario string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{"scenario.hcl": scenario, "policy.hcl": simPolicy} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSimulateJSON(t *testing.T) {
	dir := simDir(t, simScenario)
	var stdout, stderr bytes.Buffer
	csv, svg := filepath.Join(dir, "t.csv"), filepath.Join(dir, "t.svg")
	code := run([]string{"simulate", "-json", "-runs", "3", "-seed", "5", "-csv", csv, "-svg", svg, filepath.Join(dir, "scenario.hcl")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scenario", "seed", "runs", "aggregate"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("no %q in the report", k)
		}
	}
	var runs []map[string]json.RawMessage
	if err := json.Unmarshal(rep["runs"], &runs); err != nil || len(runs) != 3 {
		t.Fatalf("runs: %v, %d", err, len(runs))
	}
	fields := []string{"hosts", "exposed", "failed", "failed_peak", "manual_repairs", "host_hours_down",
		"detected_after_seconds", "halted_after_seconds", "rolled_back",
		"coverage_50_seconds", "coverage_95_seconds", "coverage_99_seconds", "timeline"}
	for _, f := range fields {
		if _, ok := runs[0][f]; !ok {
			t.Errorf("run has no %q", f)
		}
	}
	if got := string(runs[0]["coverage_95_seconds"]); got != "null" {
		t.Errorf("coverage_95_seconds = %s, want null (never reached)", got)
	}
	var agg map[string]map[string]*float64
	if err := json.Unmarshal(rep["aggregate"], &agg); err != nil {
		t.Fatal(err)
	}
	if q := agg["failed"]; q["p50"] == nil || *q["p50"] != 3 || q["max"] == nil {
		t.Errorf("aggregate failed = %v, want p50 3 (the canary)", q)
	}
	if got := string(rep["scenario"]); got != `"tiny"` {
		t.Errorf("scenario = %s", got)
	}
	c, err := os.ReadFile(csv)
	if err != nil || !strings.HasPrefix(string(c), "t_seconds,exposed,") {
		t.Errorf("csv: %v %q", err, c)
	}
	s, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(s, []byte("<svg")) || !bytes.Contains(s, []byte("time since release")) {
		t.Errorf("svg: %v", err)
	}

	// The same seed prints the same bytes.
	var again bytes.Buffer
	run([]string{"simulate", "-json", "-runs", "3", "-seed", "5", filepath.Join(dir, "scenario.hcl")}, &again, &stderr)
	if !bytes.Equal(stdout.Bytes(), again.Bytes()) {
		t.Error("the same seed gave different JSON")
	}
}

func TestSimulateText(t *testing.T) {
	dir := simDir(t, simScenario)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"simulate", filepath.Join(dir, "scenario.hcl")}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{`scenario tiny under rollout "staged": 43 hosts`, "hosts failed           3", "rollback", `trigger "quiet"`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestSimulateErrors(t *testing.T) {
	bad := strings.Replace(simScenario, `horizon = "3h"`, `horizon = "3 hours"`, 1)
	dir := simDir(t, bad)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"simulate", filepath.Join(dir, "scenario.hcl")}, 1, []string{
			filepath.Join(dir, "scenario.hcl") + `:3:13: Invalid duration: invalid duration "3 hours"`,
			`  horizon = "3 hours"`,
			"^^^^^^^^^",
		}},
		{[]string{"simulate"}, 2, []string{"want exactly one scenario file", "Usage: ringwise simulate"}},
		{[]string{"simulate", "-runs", "0", "x"}, 2, []string{"-runs must be in"}},
		{[]string{"simulate", "-bogus", "x"}, 2, []string{"flag provided but not defined"}},
		{[]string{"simulate", filepath.Join(dir, "missing.hcl")}, 1, []string{"no such file"}},
		{[]string{"simulate", "-policy", filepath.Join(dir, "nope.hcl"), filepath.Join(simDir(t, simScenario), "scenario.hcl")}, 1, []string{"nope.hcl"}},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", tc.args, code, tc.code, stderr.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, stderr.String())
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"simulate", "-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "-policy") {
		t.Errorf("-h: exit %d\n%s", code, stdout.String())
	}
	if !slices.ContainsFunc(commands, func(c command) bool { return c.name == "simulate" }) {
		t.Error("simulate is not registered")
	}
}
