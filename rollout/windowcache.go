package rollout

import (
	"sync/atomic"
	"time"
)

// A tenant's next window opening depends only on the tenant's windows and
// the time asked about, and between two changes (a window opening or
// closing) the answer is the same for every host of the tenant: inside a
// window it is the time itself, outside it is the next opening. The fleet
// keeps, per tenant, the last such stretch of time it computed (a
// windowSpan), so that the host call computes an opening once per tenant
// per change instead of once per host and call. The memo is invisible:
// every answer equals the one computed afresh (TestWindowMemo), whatever
// order the calls come in, so the host call stays deterministic; it is
// read and replaced atomically (a sequence lock, no allocation), so a
// Fleet stays safe for concurrent use.

// windowSpan is a stretch [from, to) of time over which a tenant's windows
// do not change: all inside one (inside), or all closed until to, when the
// next one opens.
type windowSpan struct {
	from, to instant
	inside   bool
}

// instant is a time as a pair that compares in a few instructions, for
// the host call's comparisons.
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (a instant) before(b instant) bool { return a.sec < b.sec || a.sec == b.sec && a.nsec < b.nsec }

// windowMemo holds the last span of one tenant, as a sequence lock over
// atomic fields: replacing it allocates nothing, so the host call never
// allocates, and a reader that meets a writer computes afresh.
type windowMemo struct {
	seq              atomic.Uint64 // 0: empty; odd: being written
	fromSec, toSec   atomic.Int64
	fromNsec, toNsec atomic.Int32
	inside           atomic.Bool
	zone             atomic.Pointer[time.Location] // of the opening at to
}

func (m *windowMemo) load() (s windowSpan, zone *time.Location, ok bool) {
	v := m.seq.Load()
	if v == 0 || v&1 == 1 {
		return s, nil, false
	}
	s = windowSpan{
		from:   instant{m.fromSec.Load(), m.fromNsec.Load()},
		to:     instant{m.toSec.Load(), m.toNsec.Load()},
		inside: m.inside.Load(),
	}
	zone = m.zone.Load()
	return s, zone, m.seq.Load() == v
}

// store replaces the span, unless another call is replacing it.
func (m *windowMemo) store(s windowSpan, zone *time.Location) {
	v := m.seq.Load()
	if v&1 == 1 || !m.seq.CompareAndSwap(v, v+1) {
		return
	}
	m.fromSec.Store(s.from.sec)
	m.fromNsec.Store(s.from.nsec)
	m.toSec.Store(s.to.sec)
	m.toNsec.Store(s.to.nsec)
	m.inside.Store(s.inside)
	m.zone.Store(zone)
	m.seq.Store(v + 2)
}

// windowOpen returns the earliest instant at or after t (ti) when one of
// the windows of tenant k is open (t itself when one is), or zero when
// none ever opens (no valid plan has such a tenant).
func (f *Fleet) windowOpen(k int, t time.Time, ti instant) time.Time {
	m := &f.windows[k]
	if s, zone, ok := m.load(); ok && !ti.before(s.from) && ti.before(s.to) {
		if s.inside {
			return t
		}
		// As Window.Open makes it: whole seconds, in the window's zone.
		return time.Unix(s.to.sec, int64(s.to.nsec)).In(zone)
	}
	ws := f.plan.Tenants[k].Maintenance
	open := windowsOpen(ws, t)
	switch {
	case open.IsZero():
		return open
	case open.After(t):
		m.store(windowSpan{from: ti, to: instantOf(open)}, open.Location())
	default:
		if end := windowsUntil(ws, t); end.After(t) {
			m.store(windowSpan{from: ti, to: instantOf(end), inside: true}, nil)
		}
	}
	return open
}

// windowsOpen is the earliest Open of ws at t.
func windowsOpen(ws []Window, t time.Time) time.Time {
	var open time.Time
	for k := range ws {
		if o := ws[k].Open(t); open.IsZero() || o.Before(open) {
			open = o
		}
	}
	return open
}

// windowsUntil returns how long, from t, one of ws stays open without a
// break: the end of the occurrences that follow one another from t. It
// returns t when none contains t.
func windowsUntil(ws []Window, t time.Time) time.Time {
	end := t
	for range 16 { // each round moves past one occurrence; stop after a few
		next := end
		for k := range ws {
			if u := ws[k].until(end); u.After(next) {
				next = u
			}
		}
		if !next.After(end) {
			break
		}
		end = next
	}
	return end
}

// until returns the latest end of the window's occurrences that contain t,
// or t when none does.
func (w *Window) until(t time.Time) time.Time {
	lt := t.In(w.Zone)
	y, m, d := lt.Date()
	wd := lt.Weekday()
	end := t
	for k := -w.lookback(); k <= 0; k++ {
		if !w.opensOn(time.Weekday((int(wd) + k%7 + 7) % 7)) {
			continue
		}
		start := w.occurrence(y, m, d+k)
		if e := start.Add(w.Length); !t.Before(start) && e.After(end) {
			end = e
		}
	}
	return end
}
