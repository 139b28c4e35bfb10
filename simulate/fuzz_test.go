package simulate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/fuzzbudget"
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
	f.Add([]byte(`scenario "x" { horizon = [for a in [1, 2, 3] : [for b in [1, 2, 3] : a * b]] }`))
	f.Add([]byte("scenario \"x\" {\n  policy = \"${file(\"/etc/passwd\")}\"\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fuzzbudget.Default.Run(t, len(src), func() {
			sc, _, diags := ParseScenario(src, "fuzz.hcl")
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Subject == nil {
					t.Errorf("error without a location: %v", d)
				}
			}
			if diags.HasErrors() {
				if sc != nil {
					t.Fatal("a scenario with errors")
				}
				return
			}
			if sc.Hosts() < 1 || sc.Horizon <= 0 || sc.Resolution < 1e9 || sc.Sample < sc.Resolution {
				t.Fatalf("loaded an unusable scenario: %d hosts, horizon %s, resolution %s, sample %s", sc.Hosts(), sc.Horizon, sc.Resolution, sc.Sample)
			}
			// What it would cost is known before anything is built.
			if sc.MemoryEstimate(1) <= 0 {
				t.Fatalf("memory estimate %d", sc.MemoryEstimate(1))
			}
		})
	})
}
