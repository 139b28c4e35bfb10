package review

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/simulate"
)

// Marker opens every Markdown comment, so a bot can find and update its
// own comment on a pull request.
const Marker = "<!-- ringwise-review -->"

// DefaultRuns is the number of runs per scenario and side when
// Options.Runs is zero: enough for the tests to tell a consistent change
// from noise (with 20 pairs a change seen in every pair has p < 0.000002).
const DefaultRuns = 20

// MaxRuns bounds Options.Runs.
const MaxRuns = 10000

// Side is one side of a comparison: a loaded policy and how to name it.
type Side struct {
	// Label names the side in the comment: a path, or "policies at main".
	Label string
	// Policy is the loaded policy (without errors). Cases that share a
	// *policy.Policy share its semantic diff.
	Policy *policy.Policy
	// Dir, when not empty, is prepended with a slash to the file names of
	// the policy's sources in the diff, for a policy loaded from an fs.FS
	// rooted at Dir (policy.Load names files within the fs).
	Dir string
}

// Case is one scenario to run under both sides.
type Case struct {
	// Path names the scenario file in the comment.
	Path     string
	Scenario *simulate.Scenario
	// Base is the policy before the change, Head after it. Each side's
	// plan is picked with Policy.Select by the scenario's update kind and
	// rollout name.
	Base, Head Side
	// Budgets are limits head must meet on this scenario, whatever base did.
	Budgets []Budget
}

// Options configure Compare. The zero value is usable.
type Options struct {
	// Runs per scenario and side; 0 means DefaultRuns.
	Runs int
	// Seed of the first run; run k uses simulate.SeedFor(Seed, k) on both
	// sides, so the runs are paired.
	Seed uint64
	// HeadSeed, when not zero and not Seed, gives head its own seeds: the
	// runs are then independent samples (compared with a rank-sum test
	// instead of the paired signed-rank test). Comparing a policy with
	// itself under other seeds shows the noise floor.
	HeadSeed uint64
	// Workers run simulations in parallel (0: GOMAXPROCS). The report does
	// not depend on it.
	Workers int
	// Progress, when set, is called after each simulation run with the
	// number done and the total, from one goroutine at a time.
	Progress func(done, total int)
}

// Compare runs every case under both sides with the same seeds, compares
// the results metric by metric and checks head's budgets. It returns an
// error only for a case it cannot run (nil scenario or policy, a policy
// with no rollout for the scenario, a simulation error) or when ctx ends;
// the Report is then nil.
//
// Compare is deterministic: the same cases and options give the same
// Report, whatever Workers and GOMAXPROCS are.
func Compare(ctx context.Context, cases []Case, opts Options) (*Report, error) {
	runs := opts.Runs
	if runs == 0 {
		runs = DefaultRuns
	}
	if runs < 1 || runs > MaxRuns {
		return nil, fmt.Errorf("review: runs must be in [1, %d], got %d", MaxRuns, runs)
	}
	if len(cases) == 0 {
		return nil, errors.New("review: no scenarios to compare")
	}
	headSeed := opts.HeadSeed
	if headSeed == 0 {
		headSeed = opts.Seed
	}
	rep := &Report{Seed: opts.Seed, HeadSeed: headSeed, Runs: runs, Paired: headSeed == opts.Seed, Level: Level}
	rep.Base, rep.Head = sideLabels(cases)
	rep.Test = testName(rep.Paired)

	type job struct {
		sim  *simulate.Sim
		out  []*simulate.Result
		seed uint64
	}
	var jobs []job
	for i, c := range cases {
		if c.Scenario == nil || c.Base.Policy == nil || c.Head.Policy == nil {
			return nil, fmt.Errorf("review: case %d (%s) needs a scenario and both policies", i, c.Path)
		}
		sr := ScenarioReport{Path: c.Path, Name: c.Scenario.Name, Hosts: c.Scenario.Hosts(), BadUpdate: len(c.Scenario.Faults) > 0}
		for _, s := range []struct {
			side Side
			out  **SideReport
			seed uint64
		}{{c.Base, &sr.Base, opts.Seed}, {c.Head, &sr.Head, headSeed}} {
			plan, err := s.side.Policy.Select(c.Scenario.Update.Kind, c.Scenario.Rollout)
			if err != nil {
				return nil, fmt.Errorf("review: %s under %s: %w", c.Path, s.side.Label, err)
			}
			sim, err := simulate.New(c.Scenario, plan)
			if err != nil {
				return nil, fmt.Errorf("review: %s under %s: %w", c.Path, s.side.Label, err)
			}
			*s.out = &SideReport{Policy: s.side.Label, Rollout: plan.Name, Digest: plan.Digest(), plan: plan}
			(*s.out).runs = make([]*simulate.Result, runs)
			jobs = append(jobs, job{sim: sim, out: (*s.out).runs, seed: s.seed})
		}
		rep.Scenarios = append(rep.Scenarios, sr)
	}

	// Every run of every case and side is one task, so a long suite keeps
	// every core busy; results land in their own slot.
	total := len(jobs) * runs
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, total)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		done  int
		first error
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for t := range next {
				j, k := &jobs[t/runs], t%runs
				res, err := j.sim.Run(ctx, simulate.SeedFor(j.seed, k))
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				j.out[k] = res
				done++
				if opts.Progress != nil {
					opts.Progress(done, total)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for t := range total {
		select {
		case next <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		return nil, fmt.Errorf("review: %w", first)
	}

	for i := range rep.Scenarios {
		sr := &rep.Scenarios[i]
		for _, side := range []*SideReport{sr.Base, sr.Head} {
			side.Targeted = side.runs[0].Targeted
			for _, r := range side.runs {
				if r.RolledBack {
					side.RolledBackRuns++
				}
			}
			side.Aggregate = simulate.Aggregate(side.runs)
		}
		sr.compare(rep.Paired)
		sr.Budgets = checkBudgets(cases[i].Budgets, sr)
		for _, b := range sr.Budgets {
			rep.BudgetsChecked++
			if !b.OK {
				rep.BudgetsViolated++
			}
		}
		sr.Chart = chartFor(cases[i].Scenario, sr.Base.runs, sr.Head.runs)
	}
	rep.judge()
	rep.Diffs = diffCases(cases)
	rep.Verdict, rep.Summary = rep.verdict()
	return rep, nil
}

// sideLabels names the sides for the heading: the one label all cases
// share, or "each scenario's policy".
func sideLabels(cases []Case) (base, head string) {
	one := func(get func(Case) string) string {
		l := get(cases[0])
		for _, c := range cases[1:] {
			if get(c) != l {
				return ""
			}
		}
		return l
	}
	return one(func(c Case) string { return c.Base.Label }), one(func(c Case) string { return c.Head.Label })
}

func testName(paired bool) string {
	if paired {
		return "two-sided Wilcoxon signed-rank test on the per-seed differences, Benjamini-Hochberg over the metrics tested"
	}
	return "two-sided Wilcoxon-Mann-Whitney rank-sum test (the sides ran different seeds), Benjamini-Hochberg over the metrics tested"
}

// Metric kinds: the metrics whose direction a review judges.
const (
	BlastRadius      = "blast_radius"
	TimeToProtection = "time_to_protection"
)

// Changes of a metric, a scenario's blast radius or time to protection,
// and verdicts.
const (
	Worse   = "worse"
	Better  = "better"
	NoClear = "no clear change" // the sides differ, but not beyond run-to-run noise
	Same    = "same"            // identical in every run
	// NotJudged is a scenario's time to protection when its update is bad:
	// reaching 50% before the hosts fail is not protection.
	NotJudged = "not judged (a bad update)"
)

// metricDef is one row of the comparison.
type metricDef struct{ label, metric, kind string }

// Rows are the compared metrics, in table order (names as in
// simulate.Metrics).
var rows = []metricDef{
	{"hosts exposed", "exposed", ""},
	{"hosts failed", "failed", BlastRadius},
	{"failed at once (peak)", "failed_peak", BlastRadius},
	{"manual repairs", "manual_repairs", BlastRadius},
	{"host-hours down", "host_hours_down", BlastRadius},
	{"outage (≥10% down)", "outage_seconds", BlastRadius},
	{"time to detect", "detected_after_seconds", ""},
	{"time to halt", "halted_after_seconds", ""},
	{"rolled back", "rolled_back", ""},
	{"50% protected", "coverage_50_seconds", TimeToProtection},
	{"95% protected", "coverage_95_seconds", TimeToProtection},
	{"99% protected", "coverage_99_seconds", TimeToProtection},
}

// compare fills the scenario's metrics with their p-values; judge then
// decides which changes are clear across the whole report.
func (sr *ScenarioReport) compare(paired bool) {
	for _, row := range rows {
		m := MetricReport{Metric: row.metric, Kind: row.kind,
			Base: statOf(sr.Base.Aggregate[row.metric]), Head: statOf(sr.Head.Aggregate[row.metric])}
		b, h := values(sr.Base.runs, row.metric), values(sr.Head.runs, row.metric)
		var p float64
		var dir int
		if paired {
			p, dir = signedRank(b, h)
		} else {
			p, dir = rankSum(b, h)
		}
		m.dir = dir
		if dir != 0 || !slices.Equal(b, h) {
			m.PValue = &p
		}
		m.tested = row.kind == BlastRadius || row.kind == TimeToProtection && !sr.BadUpdate
		sr.Metrics = append(sr.Metrics, m)
	}
}

func statOf(q simulate.Quantiles) Stat { return Stat{P50: q.P50, P95: q.P95} }

// values returns the metric of every run; a time never reached is +Inf.
// Host-hours are compared at the table's precision (0.1).
func values(runs []*simulate.Result, metric string) []float64 {
	out := make([]float64, len(runs))
	for k, r := range runs {
		v, _ := r.Metric(metric)
		if metric == "host_hours_down" {
			v = math.Round(v*10) / 10
		}
		out[k] = v
	}
	return out
}

// judge applies the Benjamini-Hochberg procedure to every tested metric
// of the report and sets each metric's Change and each scenario's
// summaries.
func (rep *Report) judge() {
	var ps []float64
	var refs []*MetricReport
	for i := range rep.Scenarios {
		for j := range rep.Scenarios[i].Metrics {
			m := &rep.Scenarios[i].Metrics[j]
			if !m.tested {
				continue
			}
			p := 1.0
			if m.PValue != nil {
				p = *m.PValue
			}
			ps = append(ps, p)
			refs = append(refs, m)
		}
	}
	rep.Tested = len(ps)
	rejected := benjaminiHochberg(ps, Level)
	for i, m := range refs {
		switch {
		case m.PValue == nil:
			m.Change = Same
		case rejected[i] && m.dir > 0:
			m.Change = Worse
		case rejected[i] && m.dir < 0:
			m.Change = Better
		default:
			m.Change = NoClear
		}
	}
	for i := range rep.Scenarios {
		sr := &rep.Scenarios[i]
		var blast, prot []string
		for _, m := range sr.Metrics {
			switch {
			case !m.tested:
			case m.Kind == BlastRadius:
				blast = append(blast, m.Change)
			case m.Kind == TimeToProtection:
				prot = append(prot, m.Change)
			}
		}
		sr.BlastRadius = direction(blast, "larger", "smaller")
		sr.TimeToProtection = direction(prot, "slower", "faster")
		if sr.BadUpdate {
			sr.TimeToProtection = NotJudged
		}
	}
}

// direction sums up changes: worse if any is worse and none better, and so
// on; "no clear change" when some differ within the noise, "same" when all
// are identical.
func direction(changes []string, worse, better string) string {
	w, b := slices.Contains(changes, Worse), slices.Contains(changes, Better)
	switch {
	case w && b:
		return "mixed"
	case w:
		return worse
	case b:
		return better
	case slices.Contains(changes, NoClear):
		return NoClear
	}
	return Same
}

// Verdicts.
const (
	VerdictInvalid  = "invalid"
	VerdictWorse    = "worse"
	VerdictTradeOff = "trade-off"
	VerdictBetter   = "better"
	VerdictNoClear  = "no clear change"
	VerdictSame     = "same"
)

// verdict sums up the review in a word and a sentence.
func (rep *Report) verdict() (word, sentence string) {
	n := len(rep.Scenarios)
	tally := func(get func(*ScenarioReport) string, words ...string) string {
		var parts []string
		for _, w := range words {
			k := 0
			for i := range rep.Scenarios {
				if get(&rep.Scenarios[i]) == w {
					k++
				}
			}
			if k > 0 {
				parts = append(parts, fmt.Sprintf("%s in %d", w, k))
			}
		}
		return strings.Join(parts, ", ")
	}
	blast := tally(func(s *ScenarioReport) string { return s.BlastRadius }, "larger", "mixed", "smaller", NoClear, Same)
	prot := tally(func(s *ScenarioReport) string { return s.TimeToProtection }, "slower", "mixed", "faster", NoClear, Same)
	if prot == "" {
		prot = "not judged: every scenario's update is bad"
	}
	worse, better, unclear := false, false, false
	for _, s := range rep.Scenarios {
		worse = worse || s.BlastRadius == "larger" || s.BlastRadius == "mixed" || s.TimeToProtection == "slower" || s.TimeToProtection == "mixed"
		better = better || s.BlastRadius == "smaller" || s.BlastRadius == "mixed" || s.TimeToProtection == "faster" || s.TimeToProtection == "mixed"
		unclear = unclear || s.BlastRadius == NoClear || s.TimeToProtection == NoClear
	}
	switch {
	case worse && better:
		word = VerdictTradeOff
	case worse:
		word = VerdictWorse
	case better:
		word = VerdictBetter
	case unclear:
		word = VerdictNoClear
	default:
		word = VerdictSame
	}
	return word, fmt.Sprintf("Blast radius %s; time to protection %s (of %s).", blast, prot, plural(n, "scenario"))
}
