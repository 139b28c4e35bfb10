package simulate

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadScenario: no input makes the loader panic, and a scenario that
// loads has hosts, a positive horizon and resolution.
func FuzzLoadScenario(f *testing.F) {
	paths, _ := filepath.Glob("../examples/*/scenario.hcl")
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(`scenario "x" { policy = "p" horizon = "1h" fleet { cohort "c" { hosts = 1 check_in = "1m" } } update { id = "u" kind = "k" release = "2026-01-01T00:00:00Z" } }`))
	f.Add([]byte(`scenario "x" { fault "f" { mode = "degraded" signal = "cpu" factor = 0.5 latency = "uniform(2m, 1m)" } }`))
	f.Add([]byte("scenario \"\xff\" {}"))
	f.Add([]byte(`scenario "x" { fleet { cohort "a" { hosts = 1e12 tenants = [] } } }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, _, diags := ParseScenario(src, "fuzz.hcl")
		if diags.HasErrors() {
			if sc != nil {
				t.Fatal("a scenario with errors")
			}
			return
		}
		if sc.Hosts() < 1 || sc.Horizon <= 0 || sc.Resolution < 1e9 || sc.Sample < sc.Resolution {
			t.Fatalf("loaded an unusable scenario: %d hosts, horizon %s, resolution %s, sample %s", sc.Hosts(), sc.Horizon, sc.Resolution, sc.Sample)
		}
	})
}
