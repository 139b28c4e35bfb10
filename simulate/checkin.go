package simulate

import "time"

// checkins is the check-in and session model of a run: when each host
// checks in, is online and sends its reports. Everything here is a pure
// function of the host, the time and the run's seed (through draws), so
// the check-ins of a wave can be computed in parallel.
type checkins struct {
	draws
	cohorts  []cohortParams
	inv      *Inventory
	horizon  int64   // seconds
	interval divisor // seconds between reports
	loss     float64 // share of reports lost
}

type cohortParams struct {
	checkIn, jitter, session int64 // seconds
	online                   float64
	checkInDiv, sessionDiv   divisor
}

func newCohortParams(checkIn, jitter, session int64, online float64) cohortParams {
	return cohortParams{
		checkIn: checkIn, jitter: jitter, session: session, online: online,
		checkInDiv: newDivisor(checkIn), sessionDiv: newDivisor(session),
	}
}

// cohort returns the cohort parameters of host i.
func (c *checkins) cohort(i int) *cohortParams {
	return &c.cohorts[c.inv.cohortOf(i)]
}

// nextCheckIn returns the first time at or after t (seconds since the
// release) at which host i checks in while online; never if none within
// the horizon.
func (c *checkins) nextCheckIn(i int, t int64) int64 {
	p := c.cohort(i)
	I := p.checkIn
	phase := p.checkInDiv.mod32(uint32(c.hash(i, saltPhase)))
	// Check-in k is in [phase+k*I, phase+k*I+jitter), jitter < I: the
	// first at or after t is k0 or k0+1.
	k := p.checkInDiv.floor(t - phase)
	for range 10000 {
		ci := phase + k*I
		if p.jitter > 0 {
			ci += int64(c.hashK(i, saltJitter, k) % uint64(p.jitter))
		}
		if ci < t {
			k++
			continue
		}
		if ci > c.horizon {
			return never
		}
		if p.online >= 1 || c.online(i, p, ci) {
			return ci
		}
		t = c.sessionEnd(i, p, ci)
		k = p.checkInDiv.floor(t - phase)
	}
	return never
}

func (c *checkins) sessionPhase(i int, p *cohortParams) int64 {
	return p.sessionDiv.mod32(uint32(c.hash(i, saltPhase) >> 32))
}

func (c *checkins) online(i int, p *cohortParams, t int64) bool {
	slot := p.sessionDiv.floor(t + c.sessionPhase(i, p))
	return unit(c.hashK(i, saltOnline, slot)) < p.online
}

func (c *checkins) sessionEnd(i int, p *cohortParams, t int64) int64 {
	ph := c.sessionPhase(i, p)
	slot := p.sessionDiv.floor(t + ph)
	return (slot+1)*p.session - ph
}

// firstReport returns when host i, updated at t, first sends a report
// that arrives (losses skipped), and its first offline period after t
// [off, back) (never when it has none within the horizon or churn is
// false).
func (c *checkins) firstReport(i int, t int64, churn bool) (send, off, back int64) {
	I := c.interval.d
	h := c.hash(i, saltReport)
	phase := c.interval.mod32(uint32(h))
	k := c.interval.floor(t-phase) + 1
	send = phase + k*I
	if c.loss > 0 {
		send += geometric(float64(h>>32)/(1<<32), 1-c.loss) * I
	}
	off, back = never, never
	p := c.cohort(i)
	if p.online >= 1 {
		return send, off, back
	}
	ph := c.sessionPhase(i, p)
	slot := p.sessionDiv.floor(t + ph)
	for s := slot + 1; s <= slot+churnSessions && (s*p.session-ph) <= c.horizon; s++ {
		if unit(c.hashK(i, saltOnline, s)) >= p.online {
			off = s*p.session - ph
			for b := s + 1; ; b++ {
				if b*p.session-ph > c.horizon {
					back = never
					break
				}
				if unit(c.hashK(i, saltOnline, b)) < p.online {
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
		send = phase + (c.interval.floor(back-phase)+1)*I
	}
	return send, off, back
}

// churnSessions bounds the search for a host's first offline period after
// updating: sessions later than this count as online.
const churnSessions = 2

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
	r.tel.silentChurn.change(max(from, r.tick+1), sign)
	if to <= r.ticks {
		r.tel.silentChurn.change(max(to, r.tick+1), -sign)
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
	last := p.sessionDiv.floor(int64(r.ticks)*r.res + ph)
	// From the session holding t - silent_after: an offline period that
	// covers it started at least silent_after before t.
	for s := p.sessionDiv.floor(t - sa + ph); s <= last; s++ {
		if unit(r.hashK(i, saltOnline, s)) < p.online {
			continue
		}
		e := s + 1
		for e <= last && unit(r.hashK(i, saltOnline, e)) >= p.online {
			e++
		}
		lo, hi := r.tickOf(max(s*p.session-ph+sa, t)), r.tickOf(e*p.session-ph)
		if lo < hi && lo <= r.ticks {
			r.tel.baseSilent.change(lo, sign)
			if hi <= r.ticks {
				r.tel.baseSilent.change(hi, -sign)
			}
		}
		s = e // e is online (or past the horizon)
	}
}
