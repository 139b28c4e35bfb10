package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringwise/ringwise/rollout"
)

// TestCheckStrict: check prints warnings and exits 0; -strict makes them
// errors (exit 1).
func TestCheckStrict(t *testing.T) {
	dir := t.TempDir()
	src := `rollout "r" {
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
  ring "late" {
    select { os = { not = "linux" } }
    steps = [100]
    bake  = "1h"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "p.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		warn string
	}{
		{[]string{"check", dir}, 0, "p.hcl:7:5: warning: Unreachable ring: "},
		{[]string{"check", "-strict", dir}, 1, "p.hcl:7:5: Unreachable ring: "},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", tc.args, code, tc.code, stderr.String())
		}
		if !strings.Contains(stderr.String(), tc.warn) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.warn, stderr.String())
		}
	}
}

// TestPlanTenant: plan -json -tenant gives, per step, when the tenant's
// hosts may take it: the hospital's 48h deferral from general
// availability (the broad ring at +30m) runs to Thursday 09:30, and its
// window opens on Saturday at 23:00 London time (GMT in November); the
// trading firm opted out of config updates.
func TestPlanTenant(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"plan", "-json", "-start", "2026-11-24T09:00:00Z", "-kind", "content", "-tenant", "hospital", "../../examples/policies"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var s rollout.ScheduleJSON
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Tenants) != 1 || s.Tenants[0].Tenant != "hospital" || len(s.Tenants[0].Steps) != len(s.Steps) {
		t.Fatalf("tenants: %+v", s.Tenants)
	}
	for _, st := range s.Tenants[0].Steps {
		if st.From != "2026-11-28T23:00:00Z" || st.FromOffsetSeconds != 4*86400+14*3600 {
			t.Errorf("%s step %d: from %s (+%ds), want 2026-11-28T23:00:00Z", st.Ring, st.Step, st.From, st.FromOffsetSeconds)
		}
		if len(st.Reasons) != 2 || !strings.HasPrefix(st.Reasons[0], "deferred 48h0m0s after general availability (2026-11-24T09:30:00Z)") ||
			!strings.HasPrefix(st.Reasons[1], "maintenance window opens 2026-11-28T23:00:00Z") {
			t.Errorf("%s step %d: reasons %q", st.Ring, st.Step, st.Reasons)
		}
	}
	stdout.Reset()
	args = []string{"plan", "-json", "-start", "2026-11-24T09:00:00Z", "-rollout", "recommended", "-kind", "config", "-tenant", "trading", "../../examples/policies"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Tenants) != 1 || !s.Tenants[0].OptedOut || len(s.Tenants[0].Steps) != 0 {
		t.Errorf("trading on config: %+v", s.Tenants)
	}
	if code := run([]string{"plan", "-tenant", "nobody", "../../examples/policies"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown tenant: exit %d, want 2", code)
	}
}
