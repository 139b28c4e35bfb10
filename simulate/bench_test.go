package simulate

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

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

// bench10M is the good-update fleet grown to exactly 10 million hosts,
// 72 simulated hours, with one fault that the recommended policy's
// triggers do not watch (a CPU regression on one OS build), so that the
// whole fleet is rolled out: the simulator's worst case.
func bench10M(b *testing.B) *Sim {
	b.Helper()
	sc := loadExample(b, "good-update")
	big := sc.Scaled(10e6 / float64(sc.Hosts()))
	n := big.Hosts()
	big.Cohorts[len(big.Cohorts)-1].Hosts += 10_000_000 - n
	big.Horizon = 72 * time.Hour
	big.Telemetry.Rates = map[string]float64{"crash": 0.0001, "cpu": 0.01}
	big.Faults = []Fault{{
		Name: "cpu-regression", Select: rollout.Selector{{Key: "os_build", Values: []string{"22631"}}},
		Probability: 0.01, Latency: Dist{Kind: Exponential, Mean: time.Hour}, Mode: Degraded, Signal: "cpu", Factor: 3,
	}}
	s, err := New(big, loadPlan(b, "../examples/policies/recommended.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	if s.inv.Len() != 10_000_000 {
		b.Fatalf("%d hosts", s.inv.Len())
	}
	return s
}

// BenchmarkSimulate10M runs one 72-hour simulation of 10 million hosts
// under the recommended policy (the fleet index is built once, outside
// the loop, as a Monte Carlo does; BenchmarkNewSim10M measures it).
func BenchmarkSimulate10M(b *testing.B) {
	s := bench10M(b)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	cpu0, cpuOK := cpuTime()
	for b.Loop() {
		var err error
		if res, err = s.Run(context.Background(), 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e7, "ns/host")
	reportCPU(b, cpu0, cpuOK, 1e7)
	if res.Exposed != 10_000_000 {
		b.Fatalf("exposed %d hosts, want the whole fleet", res.Exposed)
	}
	b.ReportMetric(float64(before.HeapAlloc)/1e7, "index-B/host")
}

// reportCPU reports the CPU time per host used since cpu0 (all cores):
// steadier than ns/host on a shared machine.
func reportCPU(b *testing.B, cpu0 int64, ok bool, hosts float64) {
	if cpu1, ok1 := cpuTime(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N)/hosts, "cpu-ns/host")
	}
}

// BenchmarkNewSim10M builds the 10-million-host inventory and the
// rollout's fleet index.
func BenchmarkNewSim10M(b *testing.B) {
	b.ReportAllocs()
	cpu0, cpuOK := cpuTime()
	for b.Loop() {
		bench10M(b)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e7, "ns/host")
	reportCPU(b, cpu0, cpuOK, 1e7)
}

// BenchmarkTouch10M is the memory-bandwidth floor: one write pass over a
// host array of 10 million hosts like the one a run keeps.
func BenchmarkTouch10M(b *testing.B) {
	h := make([]host, 10_000_000)
	b.ReportAllocs()
	cpu0, cpuOK := cpuTime()
	for b.Loop() {
		for i := range h {
			h[i].state++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e7, "ns/host")
	reportCPU(b, cpu0, cpuOK, 1e7)
}
