package simulate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

func loadExample(tb testing.TB, dir string) *Scenario {
	tb.Helper()
	path := filepath.Join("..", "examples", dir, "scenario.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	sc, _, diags := ParseScenario(src, path)
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	return sc
}

func loadPlan(tb testing.TB, path string) *rollout.Plan {
	tb.Helper()
	p, diags := policy.LoadPaths([]string{path})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	if len(p.Plans) != 1 {
		tb.Fatalf("%s: %d plans", path, len(p.Plans))
	}
	return p.Plans[0]
}

func BenchmarkCrowdStrikeFull(b *testing.B) {
	sc := loadExample(b, "crowdstrike-2024")
	plan := loadPlan(b, "../examples/crowdstrike-2024/all-at-once.hcl")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), sc, plan, 1); err != nil {
			b.Fatal(err)
		}
	}
}
