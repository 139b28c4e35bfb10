package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

// A run is laid out by concern, one file each:
//
//	sim.go         Sim (what every run shares), the run and its tick loop
//	queue.go       the event queue: hosts due at each tick, and their dispatch
//	hosts.go       host states and their changes: take, fault onset, recovery, rollback
//	checkin.go     the check-in and session model: when hosts check in, are online, report
//	telemetry.go   what hosts send and what the controller sees (series, telemetry)
//	controller.go  the link to the controller: decisions, waves of exposed hosts, the log
//	people.go      people: stopping the push by hand, hands-on repair

// Sim is a scenario prepared for a plan: the inventory and the rollout's
// fleet index, built once and shared by every run. Build one with New. A
// Sim is immutable and safe for concurrent use; each Run has its own state.
type Sim struct {
	sc       *Scenario
	plan     *rollout.Plan
	inv      *Inventory
	fleet    *rollout.Fleet
	targeted int

	cohorts  []cohortParams
	masks    [][]uint16 // per cohort, per tenant group: faults whose selector matches
	tel      telemetryConfig
	faultSig []int          // per fault: signal index (Crash, Degraded), -1 none
	cover    []bool         // per ring: has Cover
	strata   map[string]int // cover stratum key -> index in tel.strata
	// baseSample is every baseMask+1-th host position that a ring targets:
	// the baseline hosts whose offline periods are followed to count the
	// baseline's silent hosts (see baseChurn).
	baseSample []int32
	baseMask   int
	// free holds the memory of finished runs for the next ones.
	mu   sync.Mutex
	free []*run

	budget int64 // bytes: MonteCarlo runs no more runs at once than fit

	// trace, when set (by tests), sees every host action.
	trace func(ev traceEvent)
}

// New prepares sc to run under plan. It fails when the plan does not apply
// to the scenario's update, and, before allocating anything, when the
// scenario needs more memory than the budget (see WithMemoryBudget and
// Scenario.CheckMemory).
func New(sc *Scenario, plan *rollout.Plan, opts ...Option) (*Sim, error) {
	if sc == nil || plan == nil {
		return nil, errors.New("simulate: New needs a scenario and a plan")
	}
	o := buildOptions(opts)
	if d := sc.CheckMemory(o.budget, 1); d.HasErrors() {
		return nil, fmt.Errorf("simulate: %s", d[0].Detail)
	}
	if sc.Hosts() == 0 {
		return nil, errors.New("simulate: the scenario has no hosts")
	}
	if sc.Resolution < time.Second || sc.Horizon < sc.Resolution {
		return nil, fmt.Errorf("simulate: horizon %s and resolution %s make no ticks", sc.Horizon, sc.Resolution)
	}
	s := &Sim{sc: sc, plan: plan, inv: NewInventory(sc), budget: o.budget}
	fleet, err := rollout.NewFleetFrom(plan, rolloutID(sc), s.inv)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	s.fleet = fleet
	for r := range plan.Rings {
		s.targeted += fleet.RingSize(r)
		s.cover = append(s.cover, len(plan.Rings[r].Cover) > 0)
	}
	for _, co := range sc.Cohorts {
		s.cohorts = append(s.cohorts, newCohortParams(
			min(max(1, int64(co.CheckIn/time.Second)), 1<<31),
			min(int64(co.Jitter/time.Second), 1<<31),
			min(max(1, int64(co.Session/time.Second)), 1<<31),
			co.Online,
		))
	}
	for c := range s.inv.cohorts {
		ic := &s.inv.cohorts[c]
		m := make([]uint16, len(ic.labels))
		for g, l := range ic.labels {
			for k, f := range sc.Faults {
				if f.mayStrike() && f.Select.Matches(l) {
					m[g] |= 1 << k
				}
			}
		}
		if !slices.ContainsFunc(m, func(x uint16) bool { return x != m[0] }) {
			m = m[:1] // the same for every tenant
		}
		s.masks = append(s.masks, m)
	}
	s.tel = telemetryConfig{res: sc.Resolution, delay: sc.Telemetry.Delay, loss: sc.Telemetry.Loss}
	names := map[string]bool{}
	for k := range sc.Telemetry.Rates {
		names[k] = true
	}
	for _, f := range sc.Faults {
		if f.Signal != "" {
			names[f.Signal] = true
		}
	}
	for _, t := range plan.Triggers {
		if t.Kind != rollout.Silence && t.Kind != rollout.SilenceBaseline && t.Signal != "" {
			names[t.Signal] = true
		}
	}
	for k := range names {
		s.tel.signals = append(s.tel.signals, k)
	}
	sort.Strings(s.tel.signals)
	sigIndex := map[string]int{}
	for i, k := range s.tel.signals {
		sigIndex[k] = i
		s.tel.rates = append(s.tel.rates, sc.Telemetry.Rates[k])
	}
	s.tel.degradedExtra = make([][]float64, len(s.tel.signals))
	for _, f := range sc.Faults {
		x := -1
		if f.Mode == Crash || f.Mode == Degraded {
			x = sigIndex[f.Signal]
		}
		if f.Mode == Degraded {
			s.tel.degradedExtra[x] = append(s.tel.degradedExtra[x], f.Factor-1)
		}
		s.faultSig = append(s.faultSig, x)
	}
	s.strata = map[string]int{}
	for r := range plan.Rings {
		if s.cover[r] {
			for _, k := range fleet.Strata(r) {
				if _, ok := s.strata[k]; !ok {
					s.strata[k] = len(s.tel.strata)
					s.tel.strata = append(s.tel.strata, k)
				}
			}
		}
	}
	// The baseline's silent hosts are counted on a sample of at least
	// baseSampleSize targeted hosts (all of them in a smaller fleet), spread
	// evenly over the cohorts, and scaled to the baseline.
	stride := 1
	for n := s.inv.Len(); n/(2*stride) >= baseSampleSize; {
		stride *= 2
	}
	s.baseMask = stride - 1
	for i := 0; i < s.inv.Len(); i += stride {
		if fleet.RingOf(i) >= 0 {
			s.baseSample = append(s.baseSample, int32(i))
		}
	}
	if s.inv.Len() >= gcAfterBuild {
		// Building the index leaves about 20 bytes a host of scratch
		// (sort keys): collect it now, so that the runs' memory takes its
		// place instead of adding to it (peak memory is then the larger
		// of the two, not their sum). The heap holds no pointers to
		// speak of, so the collection is quick.
		runtime.GC()
	}
	return s, nil
}

// gcAfterBuild is the fleet size from which New collects the scratch of
// the index build.
const gcAfterBuild = 1 << 20

// baseSampleSize is the least number of host positions sampled for the
// baseline's silent hosts (about 0.3% relative error at 3% silent).
const baseSampleSize = 1 << 16

// Fleet returns the rollout fleet index the runs use.
func (s *Sim) Fleet() *rollout.Fleet { return s.fleet }

// Inventory returns the scenario's hosts.
func (s *Sim) Inventory() *Inventory { return s.inv }

// Targeted returns how many hosts the plan's rings select.
func (s *Sim) Targeted() int { return s.targeted }

func rolloutID(sc *Scenario) string { return sc.Update.ID }

// Run simulates the scenario under plan once with seed. See Sim.Run.
func Run(ctx context.Context, sc *Scenario, plan *rollout.Plan, seed uint64) (*Result, error) {
	s, err := New(sc, plan)
	if err != nil {
		return nil, err
	}
	return s.Run(ctx, seed)
}

const never = math.MaxInt64 / 4

// clock is a run's time: ticks of res seconds from the release.
type clock struct {
	start  time.Time
	res    int64 // seconds per tick
	resDiv divisor
	ticks  int   // the last tick
	tick   int   // the current tick
	nowSec int64 // the current tick in seconds
}

func (c *clock) timeAt(tick int) time.Time {
	return c.start.Add(time.Duration(int64(tick)*c.res) * time.Second)
}

// tickOf is the first tick at or after sec seconds.
func (c *clock) tickOf(sec int64) int {
	if sec >= never {
		return math.MaxInt32
	}
	t := c.resDiv.floor(sec + c.res - 1)
	if t > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(t)
}

// run is one simulation's mutable state, by concern (see the files above).
type run struct {
	s     *Sim
	sc    *Scenario
	fleet *rollout.Fleet
	ctx   context.Context
	seed  uint64

	clock
	hostStates
	checkins
	q queue
	link
	tel telemetry
	crew

	sink   uint8 // what touch loads, kept so the loads are not removed
	result *Result
}

// Run simulates one rollout of the scenario's update with seed. The same
// seed gives the same Result. ctx cancels the run.
//
// A run's working memory (about 16 bytes a host) is kept by the Sim when
// the run ends, for the next run to reuse (up to GOMAXPROCS of them), so
// that a Monte Carlo allocates it once per worker.
func (s *Sim) Run(ctx context.Context, seed uint64) (*Result, error) {
	r := s.getRun()
	res, err := r.simulate(ctx, seed)
	s.putRun(r)
	return res, err
}

// runState runs and also returns the final state of the run.
func (s *Sim) runState(ctx context.Context, seed uint64) (*Result, *run, error) {
	r := s.getRun()
	res, err := r.simulate(ctx, seed)
	if err != nil {
		return nil, nil, err
	}
	return res, r, nil
}

// getRun returns a finished run's memory, or a new run.
func (s *Sim) getRun() *run {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		r := s.free[n-1]
		s.free = s.free[:n-1]
		return r
	}
	return &run{s: s}
}

// putRun keeps the memory of a finished run for the next.
func (s *Sim) putRun(r *run) {
	r.ctx, r.result = nil, nil
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.free) < runtime.GOMAXPROCS(0) {
		s.free = append(s.free, r)
	}
}

// simulate runs the scenario with seed, reusing the memory of the run's
// previous use, if any.
func (r *run) simulate(ctx context.Context, seed uint64) (*Result, error) {
	s := r.s
	sc := s.sc
	n := s.inv.Len()
	ticks := int(sc.Horizon / sc.Resolution)
	res := int64(sc.Resolution / time.Second)
	r.sc, r.fleet, r.ctx, r.seed = sc, s.fleet, ctx, seed
	r.clock = clock{start: sc.Update.Release, res: res, resDiv: newDivisor(res), ticks: ticks}
	h := r.h
	if len(h) == n {
		clear(h)
	} else {
		h = make([]host, n)
	}
	r.hostStates = hostStates{h: h, ringTaken: make([]int, len(s.fleet.Plan().Rings))}
	r.checkins = checkins{
		draws:    newDraws(seed),
		cohorts:  s.cohorts,
		inv:      s.inv,
		horizon:  int64(ticks) * res,
		interval: newDivisor(min(max(1, int64(sc.Telemetry.Interval/time.Second)), 1<<31)),
		loss:     sc.Telemetry.Loss,
	}
	r.q.reset(ticks + 2)
	waveCount := r.waveCount
	if len(waveCount) != ticks+2 {
		waveCount = nil
	}
	r.link = link{rollbackT: -1, tickBuf: r.tickBuf, waveCount: waveCount}
	r.tel.reset(&s.tel, ticks, seed)
	recovering := r.recovering
	if len(recovering) == len(sc.Faults) {
		clear(recovering)
	} else {
		recovering = make([]int, len(sc.Faults))
	}
	r.crew = crew{firstFail: -1, repairs: sc.People.Repair, repairQ: r.repairQ[:0], recovering: recovering}
	r.sink = 0
	for _, i := range s.baseSample {
		r.baseChurn(int(i), +1, 0)
	}
	r.tel.baseWaiting = len(s.baseSample)
	r.counts[stWaiting] = n
	r.result = &Result{Seed: seed, Hosts: n, Targeted: s.targeted}

	u := rollout.Update{ID: sc.Update.ID, Kind: sc.Update.Kind, Urgency: sc.Update.Urgency}
	st, err := s.fleet.Start(u, r.start)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	r.st = st
	r.deciding = true
	r.lastKey = keyOf(&r.st)
	if err := r.loop(); err != nil {
		return nil, err
	}
	return r.result, nil
}

// loop runs the ticks: close the telemetry of the tick, let people and the
// controller act, handle the hosts due, and measure the fleet.
func (r *run) loop() error {
	sample := max(1, int(r.sc.Sample/r.sc.Resolution))
	res := r.result
	peak := 0
	resH := float64(r.res) / 3600
	outageAt := 0.1 * float64(r.s.targeted)
	var outage int
	covAt := [3]float64{0.5, 0.95, 0.99}
	covT := [3]*int64{nil, nil, nil}
	var rec99 *int64
	progress := progressOf(r.ctx)
	for k := 0; k <= r.ticks; k++ {
		if k%1024 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		if progress != nil && k%64 == 0 {
			progress(r.seed, time.Duration(int64(k)*r.res)*time.Second, false)
		}
		r.tick, r.nowSec = k, int64(k)*r.res
		c := &r.counts
		r.tel.integrate(k, c[stUpdated]+c[stDegraded], r.baseline())
		if res.DetectedAfter == nil && r.tel.detected(k) {
			res.DetectedAfter = ptr(r.nowSec)
		}
		r.people(k)
		if r.deciding && k >= r.next {
			r.decide(k)
		}
		r.process(k)
		r.repair(k, resH)

		down := c[stCrashed] + c[stBootLoop]
		failedNow := down + c[stSilent] + c[stDegraded]
		peak = max(peak, failedNow)
		res.HostHoursDown += float64(down) * resH
		if float64(down) >= outageAt && down > 0 {
			outage++
		}
		if r.s.targeted > 0 {
			share := float64(c[stUpdated]) / float64(r.s.targeted)
			for x := range covAt {
				if covT[x] == nil && share >= covAt[x] {
					covT[x] = ptr(r.nowSec)
				}
			}
		}
		if r.failed > 0 && float64(r.failed-failedNow) >= 0.99*float64(r.failed) {
			if rec99 == nil {
				rec99 = ptr(r.nowSec)
			}
		} else {
			rec99 = nil
		}
		if k%sample == 0 || k == r.ticks {
			res.Timeline = append(res.Timeline, r.point())
		}
	}
	res.Exposed = r.exposed
	res.Failed = r.failed
	res.FailedPeak = peak
	res.ManualRepairs = r.manual
	res.HostHoursDown = math.Round(res.HostHoursDown*1000) / 1000
	res.RolledBack = r.rollbackT >= 0
	res.Coverage50, res.Coverage95, res.Coverage99 = covT[0], covT[1], covT[2]
	res.Recovered99 = rec99
	res.OutageSeconds = int64(outage) * r.res
	res.End = string(r.st.Phase)
	return nil
}

func ptr(v int64) *int64 { return &v }

func (r *run) point() Point {
	c := &r.counts
	return Point{
		T: r.nowSec, Exposed: r.exposed,
		Waiting: c[stWaiting], Updated: c[stUpdated], Crashed: c[stCrashed], BootLoop: c[stBootLoop],
		Silent: c[stSilent], Degraded: c[stDegraded], Reverted: c[stReverted], Repaired: c[stRepaired],
	}
}
