package simulate

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
func bench10M(b *testing.B) *Sim { return benchSim(b, 10_000_000) }

// benchSim is bench10M's fleet with hosts hosts.
func benchSim(b *testing.B, hosts int) *Sim {
	b.Helper()
	sc := loadExample(b, "good-update")
	big := sc.Scaled(float64(hosts) / float64(sc.Hosts()))
	n := big.Hosts()
	big.Cohorts[len(big.Cohorts)-1].Hosts += hosts - n
	big.Horizon = 72 * time.Hour
	big.Telemetry.Rates = map[string]float64{"crash": 0.0001, "cpu": 0.01}
	big.Faults = []Fault{{
		Name: "cpu-regression", Select: rollout.Selector{{Key: "os_build", Values: []string{"22631"}}},
		Probability: 0.01, Latency: Dist{Kind: Exponential, Mean: time.Hour}, Mode: Degraded, Signal: "cpu", Factor: 3,
	}}
	// A budget for the fleet size: the default refuses 100M hosts.
	s, err := New(big, loadPlan(b, "../examples/policies/recommended.hcl"), WithMemoryBudget(max(int64(hosts)*128, 1<<30)))
	if err != nil {
		b.Fatal(err)
	}
	if s.inv.Len() != hosts {
		b.Fatalf("%d hosts", s.inv.Len())
	}
	return s
}

// BenchmarkSimulate10M runs one 72-hour simulation of 10 million hosts
// under the recommended policy as a Monte Carlo worker does: the fleet
// index is built once, outside the loop (BenchmarkNewSim10M measures it),
// and each run reuses the memory of the run before (one run, not timed,
// comes first). index-B/host is the heap the index holds, run-B/host the
// heap a run's working memory adds, B/op what a run allocates anew.
func BenchmarkSimulate10M(b *testing.B) {
	s := bench10M(b)
	runtime.GC()
	var before, warm runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := s.Run(context.Background(), 2); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&warm)
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
	b.ReportMetric((float64(warm.HeapAlloc)-float64(before.HeapAlloc))/1e7, "run-B/host")
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

// BenchmarkMonteCarloCloudflare runs the Monte Carlo of `ringwise simulate
// -runs 100 examples/cloudflare-2019/scenario.hcl` (18,000 hosts, 2 hours
// at 5 s, the scenario's own all-at-once policy) on every core, and
// reports runs per second.
func BenchmarkMonteCarloCloudflare(b *testing.B) {
	sc := loadExample(b, "cloudflare-2019")
	s, err := New(sc, loadPlan(b, "../examples/cloudflare-2019/all-at-once.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	const runs = 100
	b.ReportAllocs()
	cpu0, cpuOK := cpuTime()
	for b.Loop() {
		if _, err := s.MonteCarlo(context.Background(), 1, runs, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(runs)*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	if cpu1, ok := cpuTime(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/1e6/float64(b.N*runs), "cpu-ms/run")
	}
}

var scaleHosts = flag.String("scale.hosts", "100000,1000000", "fleet sizes of BenchmarkSimulateScale, comma-separated")

// BenchmarkSimulateScale is BenchmarkSimulate10M at the fleet sizes of
// -scale.hosts (small by default, for CI), to show that the cost per host
// does not grow with the fleet. peak-RSS-B/host is the process's peak
// resident memory (index build included) per host: meaningful when one
// size runs alone in the process, as in BENCHMARKS.md:
//
//	go test ./simulate -run '^$' -bench SimulateScale -benchtime 2x -scale.hosts 10000000
//	go test ./simulate -run '^$' -bench SimulateScale -benchtime 1x -scale.hosts 100000000 -timeout 60m  # about 4 GB
func BenchmarkSimulateScale(b *testing.B) {
	for _, f := range strings.Split(*scaleHosts, ",") {
		hosts, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || hosts < 1000 {
			b.Fatalf("-scale.hosts: bad size %q", f)
		}
		b.Run("hosts="+f, func(b *testing.B) {
			s := benchSim(b, hosts)
			if _, err := s.Run(context.Background(), 2); err != nil { // as a Monte Carlo's first run
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0, cpuOK := cpuTime()
			var res *Result
			for b.Loop() {
				if res, err = s.Run(context.Background(), 1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if res.Exposed < hosts-hosts/10000 {
				// At 100M hosts a few check in beyond the horizon.
				b.Fatalf("exposed %d hosts, want nearly the whole fleet", res.Exposed)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(hosts), "ns/host")
			reportCPU(b, cpu0, cpuOK, float64(hosts))
			if rss, ok := peakRSS(); ok {
				b.ReportMetric(float64(rss)/float64(hosts), "peak-RSS-B/host")
			}
		})
	}
}
