package simulate

import (
	"time"

	"github.com/ringwise/ringwise/rollout"
)

// series is a count over the ticks of a run whose changes are known ahead:
// a change is added at the tick it takes effect (always later than the
// last closed tick), and close turns the changes into running totals, one
// tick at a time.
type series struct{ add, cum []int32 }

func newSeries(ticks int) series {
	b := make([]int32, 2*ticks)
	return series{add: b[:ticks:ticks], cum: b[ticks:]}
}

func (s *series) reset() {
	clear(s.add)
	clear(s.cum)
}

// change adds d to the series from tick t on.
func (s *series) change(t int, d int32) { s.add[t] += d }

// close sets the total at tick k: the total at k-1 and the changes at k.
func (s *series) close(k int) { s.cum[k] = s.cum[max(k-1, 0)] + s.add[k] }

// at returns the total at closed tick k.
func (s *series) at(k int) int32 { return s.cum[k] }

// telemetryConfig is what a run's telemetry needs to know of a scenario
// and a plan; it is the same for every run of a Sim.
type telemetryConfig struct {
	res   time.Duration // a tick
	delay time.Duration // a report arrives this late
	loss  float64       // share of reports lost
	// signals are the signal names observed, in order; rates their
	// background rates per host-hour; degradedExtra, per signal, the
	// factor-1 of each Degraded fault that raises it, in fault order.
	signals       []string
	rates         []float64
	degradedExtra [][]float64
	// strata are the cover strata whose healthy hosts are counted.
	strata []string
}

// telemetry is what the hosts of a run send and what the controller
// receives: histograms by send tick of the reports that change what is
// observed (healthy first reports, silences, fault events), integrated one
// tick at a time with the host-hours and the background events of the
// interval, and observed after the telemetry delay.
//
// Hosts' state changes feed it (report, silence, faultEvent, degrade); the
// run closes each tick (integrate) and asks what the controller sees
// (observe). It knows nothing of hosts, so it can be tested alone.
type telemetry struct {
	cfg   *telemetryConfig
	ticks int     // the last tick
	delay int     // the delay in ticks, rounded up
	resH  float64 // hours per tick

	healthy     series // updated hosts' first healthy reports
	silentFault series // failed hosts silent for longer than silent_after
	silentChurn series // updated hosts offline for longer than silent_after
	baseSilent  series // sampled baseline hosts offline for longer than silent_after
	baseWaiting int    // sampled baseline hosts still waiting
	faultEv     []series
	strata      []series
	degraded    []int       // degraded hosts, by signal
	bgU, bgB    [][]float64 // cumulative background events received, by signal
	hoursU      []float64   // cumulative host-hours of updated hosts up
	hoursB      []float64   // cumulative host-hours of the baseline
	rng         pcg
}

// newTelemetry returns the telemetry of a run of ticks+1 ticks whose
// background events are drawn from seed.
func newTelemetry(cfg *telemetryConfig, ticks int, seed uint64) telemetry {
	T := ticks + 2
	t := telemetry{
		cfg:         cfg,
		ticks:       ticks,
		delay:       int((cfg.delay + cfg.res - 1) / cfg.res),
		resH:        float64(cfg.res/time.Second) / 3600,
		healthy:     newSeries(T),
		silentFault: newSeries(T),
		silentChurn: newSeries(T),
		baseSilent:  newSeries(T),
	}
	t.rng = newPCG(seed ^ 0x5851f42d4c957f2d)
	ns := len(cfg.signals)
	t.faultEv = make([]series, ns)
	t.bgU, t.bgB = make([][]float64, ns), make([][]float64, ns)
	for x := range ns {
		t.faultEv[x] = newSeries(T)
		t.bgU[x], t.bgB[x] = make([]float64, T), make([]float64, T)
	}
	t.degraded = make([]int, ns)
	t.hoursU, t.hoursB = make([]float64, T), make([]float64, T)
	t.strata = make([]series, len(cfg.strata))
	for x := range cfg.strata {
		t.strata[x] = newSeries(T)
	}
	return t
}

// reset makes t the telemetry of a new run, as newTelemetry does, reusing
// its memory when the run is as long as the last.
func (t *telemetry) reset(cfg *telemetryConfig, ticks int, seed uint64) {
	if t.cfg != cfg || t.ticks != ticks {
		*t = newTelemetry(cfg, ticks, seed)
		return
	}
	for _, s := range []*series{&t.healthy, &t.silentFault, &t.silentChurn, &t.baseSilent} {
		s.reset()
	}
	for x := range t.faultEv {
		t.faultEv[x].reset()
		clear(t.bgU[x])
		clear(t.bgB[x])
	}
	for x := range t.strata {
		t.strata[x].reset()
	}
	clear(t.degraded)
	clear(t.hoursU)
	clear(t.hoursB)
	t.baseWaiting = 0
	t.rng = newPCG(seed ^ 0x5851f42d4c957f2d)
}

// report counts a first healthy report arriving at tick t from a host of
// cover stratum stratum (-1 none).
func (t *telemetry) report(tk, stratum int) {
	t.healthy.change(tk, 1)
	if stratum >= 0 {
		t.strata[stratum].change(tk, 1)
	}
}

// faultEvent counts a fault's event of signal x sent at tick tk.
func (t *telemetry) faultEvent(x, tk int) { t.faultEv[x].change(tk, 1) }

// integrate closes tick k: the running sums of the histograms, and the
// host-hours and background events of the interval (k-1, k] with up
// updated hosts running (healthy or degraded) and base baseline hosts.
func (t *telemetry) integrate(k, up, base int) {
	prev := max(k-1, 0)
	t.healthy.close(k)
	t.silentFault.close(k)
	t.silentChurn.close(k)
	t.baseSilent.close(k)
	for x := range t.strata {
		t.strata[x].close(k)
	}
	if k == 0 {
		return
	}
	resH := t.resH
	upF, baseF := float64(up), float64(base)
	t.hoursU[k] = t.hoursU[prev] + upF*resH
	t.hoursB[k] = t.hoursB[prev] + baseF*resH
	keep := 1 - t.cfg.loss
	for x, rate := range t.cfg.rates {
		t.faultEv[x].close(k)
		mu := rate * keep * upF * resH
		for _, e := range t.cfg.degradedExtra[x] {
			mu += rate * keep * e * float64(t.degraded[x]) * resH
		}
		t.bgU[x][k] = t.bgU[x][prev] + float64(t.rng.poisson(mu))
		t.bgB[x][k] = t.bgB[x][prev] + float64(t.rng.poisson(rate*keep*baseF*resH))
	}
}

// detected reports whether the reports received by closed tick k show a
// failure caused by the update: a fault's event or a failed host silent.
func (t *telemetry) detected(k int) bool {
	kk := k - t.delay
	return kk >= 0 && (t.silentFault.at(kk) > 0 || t.faultEvents(kk) > 0)
}

func (t *telemetry) faultEvents(kk int) int32 {
	var n int32
	for x := range t.faultEv {
		n += t.faultEv[x].at(kk)
	}
	return n
}

// observe returns what the controller sees at closed tick k, at time now:
// what was sent by k minus the delay, of updated hosts that took the
// update and base baseline hosts.
func (t *telemetry) observe(k int, now time.Time, updated, base int) rollout.Observation {
	kk := k - t.delay
	obs := rollout.Observation{
		At:       now.Add(-t.cfg.delay),
		Updated:  rollout.Cohort{Hosts: updated, Signals: map[string]rollout.Signal{}},
		Baseline: rollout.Cohort{Hosts: base, Healthy: base, Signals: map[string]rollout.Signal{}},
	}
	if kk < 0 {
		for _, name := range t.cfg.signals {
			obs.Updated.Signals[name] = rollout.Signal{}
			obs.Baseline.Signals[name] = rollout.Signal{}
		}
		return obs
	}
	obs.Updated.Healthy = int(t.healthy.at(kk))
	obs.Updated.Hours = t.hoursU[kk]
	obs.Updated.Silent = int(t.silentFault.at(kk) + t.silentChurn.at(kk))
	if t.baseWaiting > 0 {
		// The sampled baseline hosts silent at kk, scaled to the baseline
		// (exact when every targeted host is sampled).
		obs.Baseline.Silent = min(base, int((int64(t.baseSilent.at(kk))*int64(base)+int64(t.baseWaiting)/2)/int64(t.baseWaiting)))
	}
	for x, name := range t.cfg.signals {
		obs.Updated.Signals[name] = rollout.Signal{Count: t.bgU[x][kk] + float64(t.faultEv[x].at(kk)), Hours: t.hoursU[kk]}
		obs.Baseline.Signals[name] = rollout.Signal{Count: t.bgB[x][kk], Hours: t.hoursB[kk]}
	}
	if len(t.strata) > 0 {
		obs.Updated.Strata = map[string]int{}
		for x, key := range t.cfg.strata {
			if v := t.strata[x].at(kk); v > 0 {
				obs.Updated.Strata[key] = int(v)
			}
		}
	}
	return obs
}
