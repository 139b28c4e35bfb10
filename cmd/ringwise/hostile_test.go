package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileScenarioPolicy: a scenario (from a pull request, say) whose
// policy attribute points outside its directory gets a located error from
// simulate and review, and neither output holds a byte of the file it
// points at nor of the environment.
func TestHostileScenarioPolicy(t *testing.T) {
	const canary = "CANARY-c41d9e"
	t.Setenv("RINGWISE_CANARY", canary)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.hcl")
	if err := os.WriteFile(secret, []byte(canary+" = 1\n"+canary+" {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(secret, filepath.Join(dir, "link.hcl")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(canary+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scenario := func(policy string) string {
		return `scenario "s" {
  policy  = "` + policy + `"
  horizon = "2h"
  fleet {
    cohort "c" {
      hosts    = 100
      check_in = "10m"
    }
  }
  update {
    id      = "u1"
    kind    = "content"
    release = "2026-01-01T00:00:00Z"
  }
}
`
	}
	rel, err := filepath.Rel(dir, secret)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct{ policy, want string }{
		{"../../../../../../../../proc/self/environ", "leads outside"},
		{rel, "leads outside"},
		{"link.hcl", "leads outside"},
		{"notes.txt", "not a policy file"},
		{"/proc/self/environ", "is absolute"},
	} {
		path := filepath.Join(dir, "scenario"+string(rune('a'+i))+".hcl")
		if err := os.WriteFile(path, []byte(scenario(tc.policy)), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"simulate", path},
			{"review", "-head", "../../examples/policies/recommended.hcl", path},
			{"review", "-json", "-base", "../../examples/policies/recommended.hcl", path},
		} {
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 1 {
				t.Errorf("%v (policy %q): exit %d, want 1", args, tc.policy, code)
			}
			out := stdout.String() + stderr.String()
			if strings.Contains(out, canary) {
				t.Errorf("%v (policy %q): output holds the canary:\n%s", args, tc.policy, out)
			}
			if !strings.Contains(stderr.String(), path+":2:13: ") || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("%v (policy %q): stderr lacks %s:2:13 and %q:\n%s", args, tc.policy, path, tc.want, stderr.String())
			}
		}
	}
}

// TestScenarioNotRegular: simulate and review refuse a scenario that is not
// a regular file before reading it.
func TestScenarioNotRegular(t *testing.T) {
	for _, args := range [][]string{
		{"simulate", "/dev/zero"},
		{"review", "-head", "../../examples/policies/recommended.hcl", "/dev/zero"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		if !strings.Contains(stderr.String(), "/dev/zero:1:1: Not a regular file") {
			t.Errorf("%v: stderr:\n%s", args, stderr.String())
		}
	}
}

// TestSimulateMemory: a scenario that needs more than -memory is refused
// at the attribute that costs the most, before anything is built.
func TestSimulateMemory(t *testing.T) {
	dir := t.TempDir()
	src := `scenario "s" {
  policy  = "p.hcl"
  horizon = "2h"
  fleet {
    cohort "c" {
      hosts    = 10000000
      tenants  = 10000000
      check_in = "10m"
    }
  }
  update {
    id      = "u1"
    kind    = "content"
    release = "2026-01-01T00:00:00Z"
  }
}
`
	path := filepath.Join(dir, "scenario.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"simulate", "-memory", "1GiB", path}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if want := path + ":7:18: Scenario too large for the memory budget"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr does not start with %q:\n%s", want, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"simulate", "-memory", "lots", path}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "want a size such as 8GiB") {
		t.Errorf("-memory lots: exit %d, stderr:\n%s", code, stderr.String())
	}
}
