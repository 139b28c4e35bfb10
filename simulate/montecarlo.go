package simulate

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Report is the outcome of a Monte Carlo: every run, in run order, and the
// quantiles of each metric across runs.
type Report struct {
	Scenario  string               `json:"scenario"`
	Policy    string               `json:"policy,omitempty"`
	Seed      uint64               `json:"seed"`
	Runs      []*Result            `json:"runs"`
	Aggregate map[string]Quantiles `json:"aggregate"`
}

// Quantiles summarise one metric across runs. A time never reached counts
// as infinite, so a quantile that falls on one is nil (null).
type Quantiles struct {
	P50 *float64 `json:"p50"`
	P95 *float64 `json:"p95"`
	Max *float64 `json:"max"`
}

// MonteCarlo runs the simulation runs times, run k with seed SeedFor(seed,
// k), on up to workers goroutines (0: GOMAXPROCS). Runs are independent
// and returned in run order, so the Report is the same whatever workers
// and GOMAXPROCS are. A ProgressFunc in ctx (WithProgress) hears of each
// run's progress and end.
func (s *Sim) MonteCarlo(ctx context.Context, seed uint64, runs, workers int) (*Report, error) {
	if runs < 1 {
		return nil, errors.New("simulate: MonteCarlo needs at least one run")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, runs)
	for workers > 1 && s.sc.MemoryEstimate(workers) > s.budget {
		workers-- // each concurrent run holds its own host states
	}
	results := make([]*Result, runs)
	errs := make([]error, runs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	next := make(chan int)
	progress := progressOf(ctx)
	for range workers {
		wg.Go(func() {
			for k := range next {
				results[k], errs[k] = s.Run(ctx, SeedFor(seed, k))
				if errs[k] != nil {
					cancel()
				} else if progress != nil {
					progress(SeedFor(seed, k), s.sc.Horizon, true)
				}
			}
		})
	}
	for k := range runs {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Report{Scenario: s.sc.Name, Policy: s.plan.Name, Seed: seed, Runs: results, Aggregate: Aggregate(results)}, nil
}

// Metrics lists the aggregated metrics, by JSON name, in report order.
var Metrics = []string{
	"hosts", "exposed", "failed", "failed_peak", "manual_repairs", "host_hours_down",
	"detected_after_seconds", "halted_after_seconds", "rolled_back",
	"coverage_50_seconds", "coverage_95_seconds", "coverage_99_seconds",
	"recovered_99_seconds", "outage_seconds",
}

// Metric returns the metric named name (see Metrics) of r; ok is false
// for a time never reached.
func (r *Result) Metric(name string) (v float64, ok bool) {
	t := func(p *int64) (float64, bool) {
		if p == nil {
			return math.Inf(1), false
		}
		return float64(*p), true
	}
	switch name {
	case "hosts":
		return float64(r.Hosts), true
	case "exposed":
		return float64(r.Exposed), true
	case "failed":
		return float64(r.Failed), true
	case "failed_peak":
		return float64(r.FailedPeak), true
	case "manual_repairs":
		return float64(r.ManualRepairs), true
	case "host_hours_down":
		return r.HostHoursDown, true
	case "detected_after_seconds":
		return t(r.DetectedAfter)
	case "halted_after_seconds":
		return t(r.HaltedAfter)
	case "rolled_back":
		if r.RolledBack {
			return 1, true
		}
		return 0, true
	case "coverage_50_seconds":
		return t(r.Coverage50)
	case "coverage_95_seconds":
		return t(r.Coverage95)
	case "coverage_99_seconds":
		return t(r.Coverage99)
	case "recovered_99_seconds":
		return t(r.Recovered99)
	case "outage_seconds":
		return float64(r.OutageSeconds), true
	}
	return math.NaN(), false
}

// Aggregate returns the p50, p95 and max of every metric across runs
// (nearest rank).
func Aggregate(runs []*Result) map[string]Quantiles {
	out := map[string]Quantiles{}
	for _, m := range Metrics {
		vs := make([]float64, len(runs))
		for k, r := range runs {
			vs[k], _ = r.Metric(m)
		}
		slices.Sort(vs)
		q := func(p float64) *float64 {
			if len(vs) == 0 {
				return nil
			}
			v := vs[max(0, int(math.Ceil(p*float64(len(vs))))-1)]
			if math.IsInf(v, 0) {
				return nil
			}
			return &v
		}
		out[m] = Quantiles{P50: q(0.5), P95: q(0.95), Max: q(1)}
	}
	return out
}
