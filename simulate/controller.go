package simulate

import (
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

// link is a run's side of the controller: the rollout's state as the
// engine last returned it, when to call it next, and the hosts waiting for
// the state to change before they can take the update.
type link struct {
	st        rollout.State
	next      int  // tick of the next controller call
	deciding  bool // the rollout still wants controller calls (until rolled back)
	rollbackT int  // tick of the rollback, -1 none
	lastKey   stateKey
	kept      int     // entries of st.Log already recorded
	parked    []int32 // waiting hosts told to wait with no time to come back

	// the buffers of a wave of exposed hosts, kept for the next wave
	tickBuf   []int32 // check-in ticks of a wave
	waveCount []int32 // hosts of a wave by tick
}

type stateKey struct {
	phase  rollout.Phase
	ring   int
	step   int
	paused bool
	ga     bool
}

func keyOf(st *rollout.State) stateKey {
	return stateKey{st.Phase, st.Ring, st.Step, st.Paused, !st.GA.IsZero()}
}

// observe builds the observation the controller sees at tick k: what was
// sent by k minus the delay.
func (r *run) observe(k int) rollout.Observation {
	c := &r.counts
	updated := c[stUpdated] + c[stCrashed] + c[stBootLoop] + c[stSilent] + c[stDegraded]
	obs := r.tel.observe(k, r.timeAt(k), updated, r.baseline())
	obs.Updated.ByRing = slices.Clone(r.ringTaken)
	return obs
}

// baseline is the number of targeted hosts that have not taken the update.
func (r *run) baseline() int {
	return r.counts[stWaiting] - (r.s.inv.Len() - r.s.targeted)
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
	// In position order: the host arrays are walked forwards, not at
	// random.
	wave := r.fleet.Exposed(r.st.Ring, r.st.Step)
	if len(wave) == 0 {
		return
	}
	// Two passes: the check-in tick of every host, then buckets grown to
	// their final size once (appending would copy big buckets as they grow).
	r.tickBuf = slices.Grow(r.tickBuf[:0], len(wave))[:len(wave)]
	if r.waveCount == nil {
		r.waveCount = make([]int32, len(r.q.buckets))
	}
	counts := r.waveCount
	// The check-in ticks are pure functions of the host and the time: a
	// big wave computes them on every core, each its own part of tickBuf.
	parts := 1
	if len(wave) >= 1<<16 {
		parts = max(1, min(runtime.GOMAXPROCS(0), 8))
	}
	if parts == 1 {
		r.checkInTicks(wave, r.tickBuf)
	} else {
		var wg sync.WaitGroup
		for p := range parts {
			lo, hi := p*len(wave)/parts, (p+1)*len(wave)/parts
			wg.Go(func() { r.checkInTicks(wave[lo:hi], r.tickBuf[lo:hi]) })
		}
		wg.Wait()
	}
	lo, hi := len(counts), -1
	for _, t := range r.tickBuf {
		if t >= 0 {
			counts[t]++
			lo, hi = min(lo, int(t)), max(hi, int(t))
		}
	}
	for t := lo; t <= hi; t++ {
		if n := int(counts[t]); n > 0 {
			r.q.reserve(t, n)
			counts[t] = 0
		}
	}
	for x, i := range wave {
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
