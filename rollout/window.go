package rollout

import "time"

// Window is a recurring maintenance window in a host's own time zone: it
// opens at wall-clock Start on each of Days in Zone and stays open for
// Length of elapsed time. A window may span midnight (Start 23:00, Length
// 4h closes at 03:00 the next day).
//
// Across daylight-saving changes the opening is a wall-clock time and the
// length is elapsed time: on the night clocks go forward an opening at a
// wall time that does not exist is read in the offset before the change
// (01:30 in a 01:00-02:00 gap opens at 02:30 local, never earlier than
// the wall time asked for); on the night clocks go back an opening in the
// repeated hour is its first occurrence. A window of 4h is always open for
// exactly 4 hours (TestWindow, TestWindowDSTLength).
//
// The zero Window is invalid; Zone must be set.
type Window struct {
	Days   []time.Weekday // days on which the window opens; empty means every day
	Start  time.Duration  // wall-clock offset from local midnight, in [0, 24h)
	Length time.Duration  // in (0, 7*24h]
	Zone   *time.Location
	Src    Source
}

// opensOn reports whether the window opens on weekday d.
func (w *Window) opensOn(d time.Weekday) bool {
	if len(w.Days) == 0 {
		return true
	}
	for _, x := range w.Days {
		if x == d {
			return true
		}
	}
	return false
}

// occurrence returns the opening instant on the local date (y, m, day).
//
// time.Date leaves unspecified which offset it uses for a wall time that a
// daylight-saving change skips or repeats (and in practice the answer
// depends on the zone's sign), so the offsets are chosen here: a repeated
// wall time opens at its first occurrence, a skipped one is read in the
// offset before the change.
func (w *Window) occurrence(y int, m time.Month, day int) time.Time {
	s := w.Start
	wall := time.Date(y, m, day, int(s/time.Hour), int(s%time.Hour/time.Minute), int(s%time.Minute/time.Second), 0, time.UTC).Unix()
	before, after := w.offset(wall-86400), w.offset(wall+86400)
	first := wall - before
	if before != after {
		second := wall - after
		if second < first {
			first, second = second, first
		}
		// first is now the earlier candidate, second the later; each is
		// a reading of the wall time if the offset there is the one used.
		okFirst := w.offset(first) == wall-first
		okSecond := w.offset(second) == wall-second
		switch {
		case okFirst:
		case okSecond:
			first = second
		default: // skipped: read in the offset before the change
			first = wall - before
		}
	}
	return time.Unix(first, 0).In(w.Zone)
}

// offset returns the zone's UTC offset in seconds at the Unix time u.
func (w *Window) offset(u int64) int64 {
	_, off := time.Unix(u, 0).In(w.Zone).Zone()
	return int64(off)
}

// lookback is how many local dates before t's an occurrence covering t
// may have opened on: one per whole day of Length, one for the part day,
// and one for a calendar day that the zone skipped (Samoa and Tokelau went
// from 29 to 31 December 2011), so that a window opening before such a day
// still lasts its Length of elapsed time.
func (w *Window) lookback() int { return int(w.Length/(24*time.Hour)) + 2 }

// Contains reports whether t is inside an occurrence of the window. It does
// not allocate.
func (w *Window) Contains(t time.Time) bool {
	lt := t.In(w.Zone)
	y, m, d := lt.Date()
	wd := lt.Weekday()
	for k := -w.lookback(); k <= 0; k++ {
		if !w.opensOn(time.Weekday((int(wd) + k%7 + 7) % 7)) {
			continue
		}
		start := w.occurrence(y, m, d+k)
		if !t.Before(start) && t.Before(start.Add(w.Length)) {
			return true
		}
	}
	return false
}

// Open returns the earliest instant at or after t when the window is open:
// t itself when t is inside an occurrence, otherwise the next opening. It
// does not allocate.
func (w *Window) Open(t time.Time) time.Time {
	lt := t.In(w.Zone)
	y, m, d := lt.Date()
	wd := lt.Weekday()
	for k := -w.lookback(); k <= 8; k++ {
		if !w.opensOn(time.Weekday((int(wd) + k%7 + 7) % 7)) {
			continue
		}
		start := w.occurrence(y, m, d+k)
		if !t.Before(start.Add(w.Length)) {
			continue
		}
		if !start.After(t) {
			return t // inside, the opening instant included
		}
		return start
	}
	return time.Time{} // unreachable for a valid window: some day opens within 8 days
}
