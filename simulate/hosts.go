package simulate

import (
	"sort"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

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
	flFailed  uint8 = 1 << 3 // has failed (counted once, however often it flaps)
	flFault   uint8 = 0xf0   // fault index + 1 (pending while updated, active while failed)
)

// host is a host's state in a run: 6 bytes (8 with padding).
type host struct {
	at    int32 // tick of the last take or fault onset
	state uint8
	flags uint8
}

// hostStates are the states of a run's hosts and how many are in each.
type hostStates struct {
	h       []host
	counts  [nStates]int
	exposed int // hosts that took the update
	// ringTaken counts, by ring, the hosts that took the update
	// (rollout.Cohort.ByRing, for bakes with min_taken).
	ringTaken []int
	failed    int // hosts that failed because of it
	manual    int // boot loops repaired by hand
}

func (hs *hostStates) setState(i int, s uint8) {
	hs.counts[hs.h[i].state]--
	hs.counts[s]++
	hs.h[i].state = s
}

func (hs *hostStates) faultOf(i int) int { return int(hs.h[i].flags>>4) - 1 }

// traceEvent is what tests see of host actions.
type traceEvent struct {
	kind  string // "take", "revert", "fail", "repair"
	host  int
	at    time.Time
	state *rollout.State // the state the engine was asked with
	prev  uint8          // host state before
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
	if ring := r.fleet.RingOf(i); ring >= 0 {
		r.ringTaken[ring]++
	}
	r.h[i].at = int32(r.tick)
	if i&r.s.baseMask == 0 {
		// A sampled host leaves the baseline: it is no longer counted
		// there from the next tick on.
		r.tel.baseWaiting--
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
			p := fl.Probability
			if fl.Stages != nil {
				p = fl.ProbabilityAt(time.Duration(t) * time.Second)
			}
			if unit(r.hashK(i, saltFault, int64(f))) < p {
				lat := int64(fl.Latency.Sample(unit(r.hashK(i, saltLatency, int64(f)))) / time.Second)
				// Latent until StrikesFrom: then latency after the later
				// of the event and the install.
				from := max(t, int64(fl.StrikesFrom/time.Second))
				if from+lat < onset {
					onset, fault = from+lat, f
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
			stratum := -1
			if r.s.cover[r.fleet.RingOf(i)] {
				if x, ok := r.s.strata[r.fleet.Stratum(i)]; ok {
					stratum = x
				}
			}
			r.tel.report(max(tk, r.tick+1), stratum)
		}
	}
	// Offline after updating: silent for its first offline period.
	if fault < 0 && r.churn(i, off, back, +1) {
		r.h[i].flags |= flChurned
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
	if r.h[i].flags&flFailed == 0 {
		r.failed++
		r.h[i].flags |= flFailed
	}
	if r.firstFail < 0 {
		r.firstFail = r.tick
	}
	r.h[i].at = int32(r.tick)
	sa := r.tickOf(r.nowSec + int64(r.sc.Telemetry.SilentAfter/time.Second))
	silent := func() {
		if sa <= r.ticks {
			r.tel.silentFault.change(max(sa, r.tick+1), 1)
		}
	}
	switch fl.Mode {
	case Crash:
		r.setState(i, stCrashed)
		if unit(r.hash(i, saltCrashLost)) >= r.sc.Telemetry.Loss && r.tick+1 <= r.ticks {
			r.tel.faultEvent(r.s.faultSig[f], r.tick+1)
		}
		silent()
		if !fl.RecoverAfter.IsZero() {
			d := r.herd(f, int64(fl.RecoverAfter.Sample(unit(r.hash(i, saltRecover)))/time.Second))
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
		r.tel.degraded[r.s.faultSig[f]]++
		if r.rollbackT >= 0 {
			r.push(i, r.tickOf(r.nextCheckIn(i, r.nowSec+1)))
		}
	}
}

// unsilence cancels the silence a fault started at the tick in r.at.
func (r *run) unsilence(i int) {
	sa := r.tickOf(int64(r.h[i].at)*r.res + int64(r.sc.Telemetry.SilentAfter/time.Second))
	if sa <= r.ticks {
		r.tel.silentFault.change(max(sa, r.tick+1), -1)
	}
}

// recoverCrash brings a crashed host back up (still running the update).
func (r *run) recoverCrash(i int, now time.Time) {
	r.recovering[r.faultOf(i)]--
	r.unsilence(i)
	r.setState(i, stUpdated)
	if flap := r.sc.Faults[r.faultOf(i)].FlapEvery; !flap.IsZero() && r.rollbackT < 0 {
		// The fault stays pending: the host crashes again (a draw of its
		// own for each time it recovers), unless it takes the rollback
		// first.
		d := int64(flap.Sample(unit(r.hashK(i, saltFlap, int64(r.tick)))) / time.Second)
		r.push(i, max(r.tick+1, r.tickOf(r.nowSec+d)))
		return
	}
	r.h[i].flags &^= flFault
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
			restart := r.herd(r.faultOf(i), int64(d.Sample(unit(r.hash(i, saltRecover)))/time.Second))
			r.push(i, max(r.tick+1, r.tickOf(r.nowSec+restart)))
			return
		}
	}
	r.reverted(i, prev)
}

// reverted finishes host i's rollback from state prev.
func (r *run) reverted(i int, prev uint8) {
	if r.h[i].flags&flRestart != 0 {
		r.recovering[r.faultOf(i)]--
	}
	switch prev {
	case stCrashed, stSilent:
		r.unsilence(i)
	case stDegraded:
		r.tel.degraded[r.s.faultSig[r.faultOf(i)]]--
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

// herd returns the recovery time d (seconds) of a host of fault f that
// starts to recover now, scaled by the hosts of the fault already
// recovering (Fault.Herd), and counts it as recovering.
func (r *run) herd(f int, d int64) int64 {
	n := r.recovering[f]
	r.recovering[f]++
	if h := r.sc.Faults[f].Herd; h > 0 && n > 0 {
		return int64(float64(d) * (1 + float64(n)/h))
	}
	return d
}
