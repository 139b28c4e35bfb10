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
	signals  []string   // every signal observed, sorted
	sigIndex map[string]int
	rates    []float64 // background rate per host-hour, by signal
	faultSig []int     // per fault: signal index (Crash, Degraded), -1 none
	cover    []bool    // per ring: has Cover
	strata   map[string]int
	strataN  []string
	// baseSample is every baseMask+1-th host position that a ring targets:
	// the baseline hosts whose offline periods are followed to count the
	// baseline's silent hosts (see baseChurn).
	baseSample []int32
	baseMask   int

	// trace, when set (by tests), sees every host action.
	trace func(ev traceEvent)
}

type cohortParams struct {
	checkIn, jitter, session int64 // seconds
	online                   float64
}

// New prepares sc to run under plan. It fails when the plan does not apply
// to the scenario's update.
func New(sc *Scenario, plan *rollout.Plan) (*Sim, error) {
	if sc == nil || plan == nil {
		return nil, errors.New("simulate: New needs a scenario and a plan")
	}
	if sc.Hosts() == 0 {
		return nil, errors.New("simulate: the scenario has no hosts")
	}
	if sc.Resolution < time.Second || sc.Horizon < sc.Resolution {
		return nil, fmt.Errorf("simulate: horizon %s and resolution %s make no ticks", sc.Horizon, sc.Resolution)
	}
	s := &Sim{sc: sc, plan: plan, inv: NewInventory(sc)}
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
		s.cohorts = append(s.cohorts, cohortParams{
			checkIn: min(max(1, int64(co.CheckIn/time.Second)), 1<<31),
			jitter:  min(int64(co.Jitter/time.Second), 1<<31),
			session: min(max(1, int64(co.Session/time.Second)), 1<<31),
			online:  co.Online,
		})
	}
	for c := range s.inv.cohorts {
		ic := &s.inv.cohorts[c]
		m := make([]uint16, len(ic.labels))
		for g, l := range ic.labels {
			for k, f := range sc.Faults {
				if f.Probability > 0 && f.Select.Matches(l) {
					m[g] |= 1 << k
				}
			}
		}
		if !slices.ContainsFunc(m, func(x uint16) bool { return x != m[0] }) {
			m = m[:1] // the same for every tenant
		}
		s.masks = append(s.masks, m)
	}
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
		s.signals = append(s.signals, k)
	}
	sort.Strings(s.signals)
	s.sigIndex = map[string]int{}
	for i, k := range s.signals {
		s.sigIndex[k] = i
		s.rates = append(s.rates, sc.Telemetry.Rates[k])
	}
	for _, f := range sc.Faults {
		x := -1
		if f.Mode == Crash || f.Mode == Degraded {
			x = s.sigIndex[f.Signal]
		}
		s.faultSig = append(s.faultSig, x)
	}
	s.strata = map[string]int{}
	for r := range plan.Rings {
		if s.cover[r] {
			for _, k := range fleet.Strata(r) {
				if _, ok := s.strata[k]; !ok {
					s.strata[k] = len(s.strataN)
					s.strataN = append(s.strataN, k)
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
	return s, nil
}

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

// Host states: every host is in exactly one at every moment.
const (
	stWaiting  uint8 = iota // has not taken the update
	stUpdated               // runs the update, healthy
	stCrashed               // runs the update, down (Crash fault)
	stBootLoop              // runs the update, down and silent, cannot revert (BootLoop)
	stSilent                // runs the update, up but not reporting (Silent fault)
	stDegraded              // runs the update, up with a raised signal (Degraded fault)
	stReverted              // took the rollback
	stRepaired              // recovered from a boot loop (by hand or by reboot); update removed
	nStates
)

var stateNames = [nStates]string{"waiting", "updated", "crashed", "boot_loop", "silent", "degraded", "reverted", "repaired"}

// flags
const (
	flQueued  uint8 = 1 << 0 // in a bucket
	flChurned uint8 = 1 << 1 // its offline period after updating is counted silent
	flRestart uint8 = 1 << 2 // took the rollback; back when its restart ends
	flFault   uint8 = 0xf0   // fault index + 1 (pending while updated, active while failed)
)

const never = math.MaxInt64 / 4

// host is a host's state in a run: 6 bytes (8 with padding).
type host struct {
	at    int32 // tick of the last take or fault onset
	state uint8
	flags uint8
}

// hash is a per-host draw of this run.
func (r *run) hash(i int, salt uint64) uint64 {
	return mix(r.salts[salt-1] ^ uint64(i)*0x9e3779b97f4a7c15)
}

// hashK is a per-host draw that also depends on k (a slot, a fault).
func (r *run) hashK(i int, salt uint64, k int64) uint64 {
	return mix(r.salts[salt-1] ^ (uint64(i)*0x9e3779b97f4a7c15 + uint64(k)*0xa0761d6478bd642f))
}

// cohort returns the cohort parameters of host i.
func (r *run) cohort(i int) *cohortParams {
	return &r.s.cohorts[r.s.inv.cohortOf(i)]
}

// traceEvent is what tests see of host actions.
type traceEvent struct {
	kind  string // "take", "revert", "fail", "repair"
	host  int
	at    time.Time
	state *rollout.State // the state the engine was asked with
	prev  uint8          // host state before
}

// run is one simulation's mutable state.
type run struct {
	s      *Sim
	sc     *Scenario
	fleet  *rollout.Fleet
	ctx    context.Context
	seed   uint64
	res    int64 // seconds per tick
	ticks  int
	start  time.Time
	tick   int
	nowSec int64

	h     []host
	salts [saltRun]uint64

	buckets   [][]int32
	pool      [][]int32
	parked    []int32
	scratch   []int32 // positions of a wave
	sortBuf   []int32
	tickBuf   []int32 // check-in ticks of a wave
	waveCount []int32 // hosts of a wave by tick

	st        rollout.State
	next      int  // tick of the next controller call
	deciding  bool // the rollout still wants controller calls
	rollbackT int  // tick of the rollback, -1 none
	lastKey   stateKey
	kept      int // entries of st.Log already recorded
	sink      uint8

	counts  [nStates]int
	exposed int
	failed  int
	manual  int

	// telemetry histograms by send tick (adds always at ticks after the
	// current one) and their running sums
	healthyAdd, silentFaultAdd, silentChurnAdd []int32
	healthyCum, silentFaultCum, silentChurnCum []int32
	baseSilentAdd, baseSilentCum               []int32     // sampled baseline hosts offline for longer than silent_after
	baseWaiting                                int         // sampled hosts still waiting
	faultEvAdd, faultEvCum                     [][]int32   // per signal
	bgU, bgB                                   [][]float64 // cumulative received background events per signal
	hoursU, hoursB                             []float64   // cumulative host-hours
	degraded                                   []int       // degraded hosts per signal
	strataAdd, strataCum                       [][]int32
	rng                                        pcg

	repairQ    []int32
	repairHead int
	credit     float64

	firstFail int // tick, -1 none
	repairs   []RepairStage

	result *Result
}

type stateKey struct {
	phase  rollout.Phase
	ring   int
	step   int
	paused bool
	ga     bool
}

// Run simulates one rollout of the scenario's update with seed. The same
// seed gives the same Result. ctx cancels the run.
func (s *Sim) Run(ctx context.Context, seed uint64) (*Result, error) {
	res, _, err := s.runState(ctx, seed)
	return res, err
}

// runState runs and also returns the final state of the run.
func (s *Sim) runState(ctx context.Context, seed uint64) (*Result, *run, error) {
	sc := s.sc
	n := s.inv.Len()
	r := &run{
		s: s, sc: sc, fleet: s.fleet, ctx: ctx, seed: seed,
		res:       int64(sc.Resolution / time.Second),
		start:     sc.Update.Release,
		h:         make([]host, n),
		rollbackT: -1,
		firstFail: -1,
		rng:       newPCG(seed ^ 0x5851f42d4c957f2d),
		repairs:   sc.People.Repair,
	}
	for k := range r.salts {
		r.salts[k] = mix(seed ^ mix(uint64(k+1)*0xd1b54a32d192ed03))
	}
	r.ticks = int(sc.Horizon / sc.Resolution)
	T := r.ticks + 2
	r.buckets = make([][]int32, T)
	r.healthyAdd, r.healthyCum = make([]int32, T), make([]int32, T)
	r.silentFaultAdd, r.silentFaultCum = make([]int32, T), make([]int32, T)
	r.silentChurnAdd, r.silentChurnCum = make([]int32, T), make([]int32, T)
	r.baseSilentAdd, r.baseSilentCum = make([]int32, T), make([]int32, T)
	for _, i := range s.baseSample {
		r.baseChurn(int(i), +1, 0)
	}
	r.baseWaiting = len(s.baseSample)
	ns := len(s.signals)
	r.faultEvAdd, r.faultEvCum = make([][]int32, ns), make([][]int32, ns)
	r.bgU, r.bgB = make([][]float64, ns), make([][]float64, ns)
	for k := range ns {
		r.faultEvAdd[k], r.faultEvCum[k] = make([]int32, T), make([]int32, T)
		r.bgU[k], r.bgB[k] = make([]float64, T), make([]float64, T)
	}
	r.degraded = make([]int, ns)
	r.hoursU, r.hoursB = make([]float64, T), make([]float64, T)
	r.strataAdd, r.strataCum = make([][]int32, len(s.strataN)), make([][]int32, len(s.strataN))
	for k := range s.strataN {
		r.strataAdd[k], r.strataCum[k] = make([]int32, T), make([]int32, T)
	}
	r.counts[stWaiting] = n
	r.result = &Result{Seed: seed, Hosts: n, Targeted: s.targeted}

	u := rollout.Update{ID: sc.Update.ID, Kind: sc.Update.Kind, Urgency: sc.Update.Urgency}
	st, err := s.fleet.Start(u, r.start)
	if err != nil {
		return nil, nil, fmt.Errorf("simulate: %w", err)
	}
	r.st = st
	r.deciding = true
	r.lastKey = keyOf(&r.st)
	if err := r.loop(); err != nil {
		return nil, nil, err
	}
	return r.result, r, nil
}

func keyOf(st *rollout.State) stateKey {
	return stateKey{st.Phase, st.Ring, st.Step, st.Paused, !st.GA.IsZero()}
}

func (r *run) timeAt(tick int) time.Time {
	return r.start.Add(time.Duration(int64(tick)*r.res) * time.Second)
}

// tickOf is the first tick at or after sec seconds.
func (r *run) tickOf(sec int64) int {
	if sec >= never {
		return math.MaxInt32
	}
	t := floorDiv(sec+r.res-1, r.res)
	if t > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(t)
}

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
	delay := int((r.sc.Telemetry.Delay + r.sc.Resolution - 1) / r.sc.Resolution)
	for k := 0; k <= r.ticks; k++ {
		if k%1024 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		r.tick, r.nowSec = k, int64(k)*r.res
		r.integrate(k, resH)
		if res.DetectedAfter == nil && k >= delay && (r.silentFaultCum[k-delay] > 0 || r.faultEvents(k-delay) > 0) {
			res.DetectedAfter = ptr(r.nowSec)
		}
		r.people(k)
		if r.deciding && k >= r.next {
			r.decide(k)
		}
		r.process(k)
		r.repair(k, resH)

		c := &r.counts
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

// integrate closes tick k's telemetry: running sums of the histograms,
// host-hours and background events of the interval (k-1, k].
func (r *run) integrate(k int, resH float64) {
	prev := max(k-1, 0)
	r.healthyCum[k] = r.healthyCum[prev] + r.healthyAdd[k]
	r.silentFaultCum[k] = r.silentFaultCum[prev] + r.silentFaultAdd[k]
	r.silentChurnCum[k] = r.silentChurnCum[prev] + r.silentChurnAdd[k]
	r.baseSilentCum[k] = r.baseSilentCum[prev] + r.baseSilentAdd[k]
	for x := range r.strataAdd {
		r.strataCum[x][k] = r.strataCum[x][prev] + r.strataAdd[x][k]
	}
	if k == 0 {
		return
	}
	c := &r.counts
	up := float64(c[stUpdated] + c[stDegraded])
	base := float64(c[stWaiting] - (r.s.inv.Len() - r.s.targeted))
	r.hoursU[k] = r.hoursU[prev] + up*resH
	r.hoursB[k] = r.hoursB[prev] + base*resH
	keep := 1 - r.sc.Telemetry.Loss
	for x, rate := range r.s.rates {
		r.faultEvCum[x][k] = r.faultEvCum[x][prev] + r.faultEvAdd[x][k]
		mu := rate * keep * up * resH
		for f, fs := range r.s.faultSig {
			if fs == x && r.sc.Faults[f].Mode == Degraded {
				mu += rate * keep * (r.sc.Faults[f].Factor - 1) * float64(r.degraded[x]) * resH
			}
		}
		r.bgU[x][k] = r.bgU[x][prev] + float64(r.rng.poisson(mu))
		r.bgB[x][k] = r.bgB[x][prev] + float64(r.rng.poisson(rate*keep*base*resH))
	}
}

// observe builds the observation the controller sees at tick k: what was
// sent by k minus the delay.
func (r *run) observe(k int) rollout.Observation {
	tel := &r.sc.Telemetry
	kk := k - int((tel.Delay+r.sc.Resolution-1)/r.sc.Resolution)
	at := r.timeAt(k).Add(-tel.Delay)
	c := &r.counts
	updated := c[stUpdated] + c[stCrashed] + c[stBootLoop] + c[stSilent] + c[stDegraded]
	base := c[stWaiting] - (r.s.inv.Len() - r.s.targeted)
	obs := rollout.Observation{
		At:       at,
		Updated:  rollout.Cohort{Hosts: updated, Signals: map[string]rollout.Signal{}},
		Baseline: rollout.Cohort{Hosts: base, Healthy: base, Signals: map[string]rollout.Signal{}},
	}
	if kk < 0 {
		for _, name := range r.s.signals {
			obs.Updated.Signals[name] = rollout.Signal{}
			obs.Baseline.Signals[name] = rollout.Signal{}
		}
		return obs
	}
	obs.Updated.Healthy = int(r.healthyCum[kk])
	obs.Updated.Silent = int(r.silentFaultCum[kk] + r.silentChurnCum[kk])
	if r.baseWaiting > 0 {
		// The sampled baseline hosts silent at kk, scaled to the baseline
		// (exact when every targeted host is sampled).
		obs.Baseline.Silent = min(base, int((int64(r.baseSilentCum[kk])*int64(base)+int64(r.baseWaiting)/2)/int64(r.baseWaiting)))
	}
	for x, name := range r.s.signals {
		obs.Updated.Signals[name] = rollout.Signal{Count: r.bgU[x][kk] + float64(r.faultEvCum[x][kk]), Hours: r.hoursU[kk]}
		obs.Baseline.Signals[name] = rollout.Signal{Count: r.bgB[x][kk], Hours: r.hoursB[kk]}
	}
	if len(r.strataCum) > 0 {
		obs.Updated.Strata = map[string]int{}
		for x, key := range r.s.strataN {
			if v := r.strataCum[x][kk]; v > 0 {
				obs.Updated.Strata[key] = int(v)
			}
		}
	}
	return obs
}

func (r *run) faultEvents(kk int) int32 {
	var n int32
	for x := range r.faultEvCum {
		n += r.faultEvCum[x][kk]
	}
	return n
}

// decide runs the controller call at tick k and acts on the decision.
func (r *run) decide(k int) {
	obs := r.observe(k)
	now := r.timeAt(k)
	d := r.fleet.Decide(r.ctx, r.st, obs, now)
	r.st = d.State
	r.trimLog()
	interval := r.tickOf(int64(r.sc.Telemetry.Interval / time.Second))
	r.next = k + max(1, interval)
	if !d.Next.IsZero() {
		if t := r.tickOf(int64(d.Next.Sub(r.start) / time.Second)); t > k && t < r.next {
			r.next = t
		}
	}
	switch d.Action {
	case rollout.Advance:
		r.expose(k)
	case rollout.Halt:
		r.halted()
	case rollout.Rollback:
		r.halted()
		r.rollback(k)
		r.deciding = false
	case rollout.Done:
		r.deciding = false
	}
	r.changed()
}

// changed re-queues parked hosts when the state moved in a way that may
// let them in.
func (r *run) changed() {
	key := keyOf(&r.st)
	if key == r.lastKey {
		return
	}
	r.lastKey = key
	parked := r.parked
	r.parked = nil
	for _, i := range parked {
		if r.h[i].state == stWaiting && r.h[i].flags&flQueued == 0 {
			r.push(int(i), r.tickOf(r.nextCheckIn(int(i), r.nowSec)))
		}
	}
}

func (r *run) halted() {
	if r.result.HaltedAfter == nil {
		r.result.HaltedAfter = ptr(r.nowSec)
	}
}

// record appends the new entries of log to the result's decisions.
func (r *run) record(log []rollout.Entry) {
	for _, e := range log[min(r.kept, len(log)):] {
		if (e.Action == rollout.Hold || e.Action == rollout.Halt) && len(r.result.Decisions) > 0 {
			// Repeats of a hold or halt for the same rules say nothing new.
			last := &r.result.Decisions[len(r.result.Decisions)-1]
			if last.Action == e.Action.String() && last.Ring == e.Ring && last.Step == e.Step+1 && sameRules(last.rules, e.Reasons) {
				continue
			}
		}
		dec := Decision{At: int64(e.At.Sub(r.start) / time.Second), Action: e.Action.String(), Ring: e.Ring, Step: e.Step + 1}
		for _, x := range e.Reasons {
			dec.Reasons = append(dec.Reasons, x.String())
			dec.rules = append(dec.rules, x.Rule)
		}
		r.result.Decisions = append(r.result.Decisions, dec)
	}
}

// trimLog records the state's new log entries and keeps only the last,
// which the engine compares with to skip repeated entries: the log would
// otherwise be copied by every call.
func (r *run) trimLog() {
	r.record(r.st.Log)
	if n := len(r.st.Log); n > 1 {
		r.st.Log = slices.Clip(r.st.Log[n-1:])
	}
	r.kept = len(r.st.Log)
}

func sameRules(rules []string, reasons []rollout.Reason) bool {
	if len(rules) != len(reasons) {
		return false
	}
	for i := range rules {
		if rules[i] != reasons[i].Rule {
			return false
		}
	}
	return true
}

// expose queues the hosts the current step exposes at their next check-in.
func (r *run) expose(k int) {
	st := &r.st
	cand := r.fleet.Exposed(st.Ring, st.Step)
	if len(cand) == 0 {
		return
	}
	// Visit hosts in position order: the host arrays are then walked
	// forwards, not at random.
	r.scratch = append(r.scratch[:0], cand...)
	r.sortBuf = sortInt32(r.scratch, r.sortBuf)
	// Two passes: the check-in tick of every host, then buckets grown to
	// their final size once (appending would copy big buckets as they grow).
	r.tickBuf = slices.Grow(r.tickBuf[:0], len(r.scratch))[:len(r.scratch)]
	if r.waveCount == nil {
		r.waveCount = make([]int32, len(r.buckets))
	}
	counts := r.waveCount
	// The check-in ticks are pure functions of the host and the time: a
	// big wave computes them on every core, each its own part of tickBuf.
	parts := 1
	if len(r.scratch) >= 1<<16 {
		parts = max(1, min(runtime.GOMAXPROCS(0), 8))
	}
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(r.scratch)/parts, (p+1)*len(r.scratch)/parts
		wg.Go(func() { r.checkInTicks(r.scratch[lo:hi], r.tickBuf[lo:hi]) })
	}
	wg.Wait()
	lo, hi := len(counts), -1
	for _, t := range r.tickBuf {
		if t >= 0 {
			counts[t]++
			lo, hi = min(lo, int(t)), max(hi, int(t))
		}
	}
	for t := lo; t <= hi; t++ {
		if n := int(counts[t]); n > 0 {
			r.buckets[t] = slices.Grow(r.buckets[t], n)
			counts[t] = 0
		}
	}
	for x, i := range r.scratch {
		if t := r.tickBuf[x]; t >= 0 {
			r.push(int(i), int(t))
		}
	}
}

// checkInTicks sets ticks[x] to the tick of the next check-in of waiting
// host hosts[x], or -1 when it is not waiting or checks in beyond the
// horizon. It only reads the run, so parts of a wave may run in parallel.
func (r *run) checkInTicks(hosts, ticks []int32) {
	for x, i := range hosts {
		t := int32(-1)
		if r.h[i].state == stWaiting && r.h[i].flags&flQueued == 0 {
			if tk := r.tickOf(r.nextCheckIn(int(i), r.nowSec)); tk <= r.ticks {
				t = int32(max(tk, r.tick))
			}
		}
		ticks[x] = t
	}
}

// push queues host i at tick t (dropped beyond the horizon).
func (r *run) push(i, t int) {
	if t > r.ticks {
		return
	}
	t = max(t, r.tick)
	b := r.buckets[t]
	if b == nil && len(r.pool) > 0 {
		b = r.pool[len(r.pool)-1][:0]
		r.pool = r.pool[:len(r.pool)-1]
	}
	r.buckets[t] = append(b, int32(i))
	r.h[i].flags |= flQueued
}

// process handles the hosts queued at tick k.
func (r *run) process(k int) {
	now := r.timeAt(k)
	for x := 0; x < len(r.buckets[k]); x++ {
		if x%touchBlock == 0 {
			r.touch(r.buckets[k][x:min(x+touchBlock, len(r.buckets[k]))])
		}
		i := int(r.buckets[k][x])
		r.h[i].flags &^= flQueued
		switch r.h[i].state {
		case stWaiting:
			r.checkIn(i, now)
		case stUpdated:
			if r.h[i].flags&flFault != 0 {
				r.onset(i, now)
			} else {
				r.revert(i, now)
			}
		case stCrashed:
			if r.h[i].flags&flRestart != 0 {
				r.reverted(i, stCrashed)
			} else if r.sc.Faults[r.faultOf(i)].RecoverAfter.IsZero() {
				r.revert(i, now)
			} else {
				r.recoverCrash(i, now)
			}
		case stBootLoop:
			r.recoverBoot(i, false)
		case stSilent, stDegraded:
			r.revert(i, now)
		}
	}
	if b := r.buckets[k]; b != nil {
		r.pool = append(r.pool, b[:0])
		r.buckets[k] = nil
	}
}

// touchBlock is how many queued hosts touch loads ahead.
const touchBlock = 128

// touch loads the memory of the hosts in block before they are handled:
// the loads are independent, so their cache misses overlap, where the
// handling of one host at a time would wait for each in turn.
func (r *run) touch(block []int32) {
	var sink uint8
	for _, i := range block {
		sink += r.h[i].state
		sink += uint8(r.fleet.RingOf(int(i)))
	}
	r.sink += sink
}

func (r *run) faultOf(i int) int { return int(r.h[i].flags>>4) - 1 }

func (r *run) setState(i int, s uint8) {
	r.counts[r.h[i].state]--
	r.counts[s]++
	r.h[i].state = s
}

// checkIn asks the engine whether waiting host i may take the update now.
func (r *run) checkIn(i int, now time.Time) {
	e := r.fleet.EligibleAt(i, &r.st, now)
	switch e.Verdict {
	case rollout.Take:
		r.take(i, now)
	case rollout.Wait:
		if e.From.IsZero() {
			r.parked = append(r.parked, int32(i))
			return
		}
		from := int64(e.From.Sub(r.start) / time.Second)
		r.push(i, r.tickOf(r.nextCheckIn(i, max(from, r.nowSec+1))))
	}
}

// take applies the update to host i at the current tick.
func (r *run) take(i int, now time.Time) {
	if r.s.trace != nil {
		st := r.st
		r.s.trace(traceEvent{kind: "take", host: i, at: now, state: &st, prev: r.h[i].state})
	}
	r.setState(i, stUpdated)
	r.exposed++
	r.h[i].at = int32(r.tick)
	if i&r.s.baseMask == 0 {
		// A sampled host leaves the baseline: it is no longer counted
		// there from the next tick on.
		r.baseWaiting--
		r.baseChurn(i, -1, r.tick+1)
	}
	t := r.nowSec
	// Faults: the earliest that strikes.
	onset := int64(never)
	fault := -1
	c, j := r.s.inv.Cohort(i)
	mask := r.s.masks[c][0]
	if len(r.s.masks[c]) > 1 {
		mask = r.s.masks[c][sort.SearchInts(r.s.inv.cohorts[c].tenants, j+1)]
	}
	for f := 0; mask != 0; f++ {
		if mask&1 != 0 {
			fl := &r.sc.Faults[f]
			if unit(r.hashK(i, saltFault, int64(f))) < fl.Probability {
				lat := int64(fl.Latency.Sample(unit(r.hashK(i, saltLatency, int64(f)))) / time.Second)
				if t+lat < onset {
					onset, fault = t+lat, f
				}
			}
		}
		mask >>= 1
	}
	if fault >= 0 {
		r.h[i].flags = r.h[i].flags&^flFault | uint8(fault+1)<<4
		r.push(i, max(r.tick, r.tickOf(onset)))
	}
	// The first report after updating, unless the host fails first.
	send, off, back := r.firstReport(i, t, fault < 0)
	if send < onset {
		if tk := r.tickOf(send); tk <= r.ticks {
			tk = max(tk, r.tick+1)
			r.healthyAdd[tk]++
			if r.s.cover[r.fleet.RingOf(i)] {
				if x, ok := r.s.strata[r.fleet.Stratum(i)]; ok {
					r.strataAdd[x][tk]++
				}
			}
		}
	}
	// Offline after updating: silent for its first offline period.
	if fault < 0 && r.churn(i, off, back, +1) {
		r.h[i].flags |= flChurned
	}
}

// churn counts an updated host silent while it is offline (its first
// offline period after updating) for longer than silent_after; sign -1
// cancels what is still to come.
func (r *run) churn(i int, off, back int64, sign int32) bool {
	if off >= never {
		return false
	}
	sa := int64(r.sc.Telemetry.SilentAfter / time.Second)
	from, to := r.tickOf(off+sa), r.tickOf(back)
	if to <= from || from > r.ticks {
		return false
	}
	if sign < 0 && to <= r.tick {
		return true
	}
	r.silentChurnAdd[max(from, r.tick+1)] += sign
	if to <= r.ticks {
		r.silentChurnAdd[max(to, r.tick+1)] -= sign
	}
	return true
}

// baseChurn counts baseline host i silent while it is offline for longer
// than silent_after, as churn does for updated hosts but for every offline
// period, from tick from to the horizon; sign -1 cancels what is counted
// from tick from on. It walks the host's sessions, not its minutes.
func (r *run) baseChurn(i int, sign int32, from int) {
	p := r.cohort(i)
	if p.online >= 1 {
		return
	}
	sa := int64(r.sc.Telemetry.SilentAfter / time.Second)
	t := int64(from) * r.res
	ph := r.sessionPhase(i, p)
	last := floorDiv(int64(r.ticks)*r.res+ph, p.session)
	// From the session holding t - silent_after: an offline period that
	// covers it started at least silent_after before t.
	for s := floorDiv(t-sa+ph, p.session); s <= last; s++ {
		if unit(r.hashK(i, saltOnline, s)) < p.online {
			continue
		}
		e := s + 1
		for e <= last && unit(r.hashK(i, saltOnline, e)) >= p.online {
			e++
		}
		lo, hi := r.tickOf(max(s*p.session-ph+sa, t)), r.tickOf(e*p.session-ph)
		if lo < hi && lo <= r.ticks {
			r.baseSilentAdd[lo] += sign
			if hi <= r.ticks {
				r.baseSilentAdd[hi] -= sign
			}
		}
		s = e // e is online (or past the horizon)
	}
}

// onset makes the pending fault of host i strike now.
func (r *run) onset(i int, now time.Time) {
	if r.rollbackT >= 0 {
		// It may have taken the rollback before the fault struck.
		rb := int64(r.rollbackT) * r.res
		if r.nextCheckIn(i, rb) < r.nowSec {
			r.revert(i, now)
			return
		}
	}
	f := r.faultOf(i)
	fl := &r.sc.Faults[f]
	prev := r.h[i].state
	if r.s.trace != nil {
		r.s.trace(traceEvent{kind: "fail", host: i, at: now, prev: prev})
	}
	r.failed++
	if r.firstFail < 0 {
		r.firstFail = r.tick
	}
	r.h[i].at = int32(r.tick)
	sa := r.tickOf(r.nowSec + int64(r.sc.Telemetry.SilentAfter/time.Second))
	silent := func() {
		if sa <= r.ticks {
			r.silentFaultAdd[max(sa, r.tick+1)]++
		}
	}
	switch fl.Mode {
	case Crash:
		r.setState(i, stCrashed)
		if unit(r.hash(i, saltCrashLost)) >= r.sc.Telemetry.Loss && r.tick+1 <= r.ticks {
			r.faultEvAdd[r.s.faultSig[f]][r.tick+1]++
		}
		silent()
		if !fl.RecoverAfter.IsZero() {
			d := int64(fl.RecoverAfter.Sample(unit(r.hash(i, saltRecover))) / time.Second)
			r.push(i, max(r.tick+1, r.tickOf(r.nowSec+d)))
		} else if r.rollbackT >= 0 {
			r.push(i, r.tickOf(r.nextCheckIn(i, r.nowSec+1)))
		}
	case BootLoop:
		r.setState(i, stBootLoop)
		silent()
		r.repairQ = append(r.repairQ, int32(i))
		if fl.RecoverPerReboot > 0 && fl.RebootEvery > 0 {
			n := geometric(unit(r.hash(i, saltReboot)), fl.RecoverPerReboot) + 1
			if d := n * int64(fl.RebootEvery/time.Second); d < never/2 {
				r.push(i, max(r.tick+1, r.tickOf(r.nowSec+d)))
			}
		}
	case Silent:
		r.setState(i, stSilent)
		silent()
		if r.rollbackT >= 0 {
			r.push(i, r.tickOf(r.nextCheckIn(i, r.nowSec+1)))
		}
	case Degraded:
		r.setState(i, stDegraded)
		r.degraded[r.s.faultSig[f]]++
		if r.rollbackT >= 0 {
			r.push(i, r.tickOf(r.nextCheckIn(i, r.nowSec+1)))
		}
	}
}

// unsilence cancels the silence a fault started at the tick in r.at.
func (r *run) unsilence(i int) {
	sa := r.tickOf(int64(r.h[i].at)*r.res + int64(r.sc.Telemetry.SilentAfter/time.Second))
	if sa <= r.ticks {
		r.silentFaultAdd[max(sa, r.tick+1)]--
	}
}

// recoverCrash brings a crashed host back up (still running the update).
func (r *run) recoverCrash(i int, now time.Time) {
	r.unsilence(i)
	r.h[i].flags &^= flFault
	r.setState(i, stUpdated)
	if r.rollbackT >= 0 {
		r.push(i, r.tickOf(r.nextCheckIn(i, r.nowSec+1)))
	}
}

// recoverBoot ends host i's boot loop, by hand or by a lucky reboot.
func (r *run) recoverBoot(i int, byHand bool) {
	if r.h[i].state != stBootLoop {
		return
	}
	if r.s.trace != nil {
		r.s.trace(traceEvent{kind: "repair", host: i, at: r.timeAt(r.tick), prev: stBootLoop})
	}
	r.unsilence(i)
	r.setState(i, stRepaired)
	if byHand {
		r.manual++
	}
}

// revert asks the engine whether host i should remove the update, and
// does so.
func (r *run) revert(i int, now time.Time) {
	e := r.fleet.EligibleAt(i, &r.st, now)
	if e.Verdict != rollout.Revert {
		return
	}
	prev := r.h[i].state
	if prev == stBootLoop {
		return // cannot: it never gets far enough to take a rollback
	}
	if r.s.trace != nil {
		st := r.st
		r.s.trace(traceEvent{kind: "revert", host: i, at: now, state: &st, prev: prev})
	}
	if prev == stCrashed {
		if d := r.sc.Faults[r.faultOf(i)].Restart; !d.IsZero() {
			// Removed; the host comes back when it has restarted.
			r.h[i].flags |= flRestart
			r.push(i, max(r.tick+1, r.tickOf(r.nowSec+int64(d.Sample(unit(r.hash(i, saltRecover)))/time.Second))))
			return
		}
	}
	r.reverted(i, prev)
}

// reverted finishes host i's rollback from state prev.
func (r *run) reverted(i int, prev uint8) {
	switch prev {
	case stCrashed, stSilent:
		r.unsilence(i)
	case stDegraded:
		r.degraded[r.s.faultSig[r.faultOf(i)]]--
	case stUpdated:
		if r.h[i].flags&flChurned != 0 {
			_, off, back := r.firstReport(i, int64(r.h[i].at)*r.res, true)
			r.churn(i, off, back, -1)
		}
	}
	r.h[i].flags &^= flFault | flChurned | flRestart
	r.setState(i, stReverted)
}

// rollback queues every host running the update that can take a
// rollback at its next check-in.
func (r *run) rollback(k int) {
	r.rollbackT = k
	r.parked = nil
	for i := range r.h {
		if r.h[i].flags&flQueued != 0 {
			continue
		}
		switch r.h[i].state {
		case stUpdated, stCrashed, stSilent, stDegraded:
			r.push(i, r.tickOf(r.nextCheckIn(i, r.nowSec)))
		}
	}
}

// people stop the push by hand once they notice.
func (r *run) people(k int) {
	p := &r.sc.People
	if p.Notice <= 0 || r.firstFail < 0 {
		return
	}
	if int64(k-r.firstFail)*r.res < int64(p.Notice/time.Second) {
		return
	}
	switch r.st.Phase {
	case rollout.RolledBack:
		return
	case rollout.Halted:
		if p.Action != rollout.Rollback {
			return
		}
	}
	now := r.timeAt(k)
	r.st = stopByHand(r.st, p.Action, fmt.Sprintf("people noticed failures %s after the first one and stopped the push", fmtDur(p.Notice)), now)
	r.trimLog()
	r.halted()
	if p.Action == rollout.Rollback {
		r.rollback(k)
		r.deciding = false
	}
	r.changed()
}

// stopByHand halts or rolls back a rollout the way an operator does: a
// change of the state the caller owns, logged. (The rollout package has no
// call for a manual stop yet.)
func stopByHand(st rollout.State, a rollout.Action, reason string, now time.Time) rollout.State {
	stopped, err := rollout.Stop(st, a, "people", reason, now)
	if err != nil {
		return st // already rolled back: nothing to stop
	}
	return stopped
}

// repair spends the hands-on repair capacity of tick k on boot-looped
// hosts, in the order they failed.
func (r *run) repair(k int, resH float64) {
	if len(r.repairs) == 0 {
		return
	}
	rate := 0.0
	for _, st := range r.repairs {
		if int64(k)*r.res >= int64(st.From/time.Second) {
			rate = st.PerHour
		}
	}
	r.credit += rate * resH
	for r.credit >= 1 && r.repairHead < len(r.repairQ) {
		i := int(r.repairQ[r.repairHead])
		r.repairHead++
		if r.h[i].state == stBootLoop {
			r.recoverBoot(i, true)
			r.credit--
		}
	}
	if r.repairHead == len(r.repairQ) {
		r.credit = 0 // capacity not used is lost
		r.repairQ = r.repairQ[:0]
		r.repairHead = 0
	}
}

// nextCheckIn returns the first time at or after t (seconds since the
// release) at which host i checks in while online; never if none within
// the horizon.
func (r *run) nextCheckIn(i int, t int64) int64 {
	p := r.cohort(i)
	I := p.checkIn
	phase := int64(uint32(r.hash(i, saltPhase)) % uint32(I))
	horizon := int64(r.ticks) * r.res
	// Check-in k is in [phase+k*I, phase+k*I+jitter), jitter < I: the
	// first at or after t is k0 or k0+1.
	k := floorDiv(t-phase, I)
	for range 10000 {
		ci := phase + k*I
		if p.jitter > 0 {
			ci += int64(r.hashK(i, saltJitter, k) % uint64(p.jitter))
		}
		if ci < t {
			k++
			continue
		}
		if ci > horizon {
			return never
		}
		if p.online >= 1 || r.online(i, p, ci) {
			return ci
		}
		t = r.sessionEnd(i, p, ci)
		k = floorDiv(t-phase, I)
	}
	return never
}

func (r *run) sessionPhase(i int, p *cohortParams) int64 {
	return int64(uint32(r.hash(i, saltPhase)>>32) % uint32(p.session))
}

func (r *run) online(i int, p *cohortParams, t int64) bool {
	slot := floorDiv(t+r.sessionPhase(i, p), p.session)
	return unit(r.hashK(i, saltOnline, slot)) < p.online
}

func (r *run) sessionEnd(i int, p *cohortParams, t int64) int64 {
	ph := r.sessionPhase(i, p)
	slot := floorDiv(t+ph, p.session)
	return (slot+1)*p.session - ph
}

// firstReport returns when host i, updated at t, first sends a report
// that arrives (losses skipped), and its first offline period after t
// [off, back) (never when it has none within the horizon or churn is
// false).
func (r *run) firstReport(i int, t int64, churn bool) (send, off, back int64) {
	tel := &r.sc.Telemetry
	I := min(max(1, int64(tel.Interval/time.Second)), 1<<31)
	h := r.hash(i, saltReport)
	phase := int64(uint32(h) % uint32(I))
	k := floorDiv(t-phase, I) + 1
	send = phase + k*I
	if tel.Loss > 0 {
		send += geometric(float64(h>>32)/(1<<32), 1-tel.Loss) * I
	}
	off, back = never, never
	p := r.cohort(i)
	if p.online >= 1 {
		return send, off, back
	}
	horizon := int64(r.ticks) * r.res
	ph := r.sessionPhase(i, p)
	slot := floorDiv(t+ph, p.session)
	for s := slot + 1; s <= slot+churnSessions && (s*p.session-ph) <= horizon; s++ {
		if unit(r.hashK(i, saltOnline, s)) >= p.online {
			off = s*p.session - ph
			for b := s + 1; ; b++ {
				if b*p.session-ph > horizon {
					back = never
					break
				}
				if unit(r.hashK(i, saltOnline, b)) < p.online {
					back = b*p.session - ph
					break
				}
			}
			break
		}
		if !churn && (s*p.session-ph) > send {
			break
		}
	}
	if send >= off {
		// It went offline before reporting: it reports when back.
		if back >= never {
			return never, off, back
		}
		send = phase + (floorDiv(back-phase, I)+1)*I
	}
	return send, off, back
}

// churnSessions bounds the search for a host's first offline period after
// updating: sessions later than this count as online.
const churnSessions = 2

// sortInt32 sorts positions (radix sort for large slices, with buf,
// which it returns grown for reuse).
func sortInt32(a, buf []int32) []int32 {
	if len(a) < 1<<12 {
		slices.Sort(a)
		return buf
	}
	buf = slices.Grow(buf[:0], len(a))[:len(a)]
	src, dst := a, buf
	for shift := uint(0); shift < 32; shift += 16 {
		var count [1<<16 + 1]int
		for _, v := range src {
			count[(uint32(v)>>shift)&0xffff+1]++
		}
		for x := 1; x < len(count); x++ {
			count[x] += count[x-1]
		}
		for _, v := range src {
			d := (uint32(v) >> shift) & 0xffff
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	return buf
}
