package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ringwise/ringwise/simulate"
)

// A progressLine redraws one line on a terminal as simulation runs go:
// runs done, the simulated time the runs in flight have reached, and an
// estimate of the time left. It is for stderr on a terminal only; it never
// writes a newline, and clear erases it.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	what    string // "simulating crowdstrike-2024"
	runs    int
	horizon time.Duration
	now     func() time.Time // the wall clock; tests pass their own
	start   time.Time
	drawn   time.Time // when the line was last drawn
	at      map[uint64]time.Duration
	done    int
}

func newProgressLine(w io.Writer, what string, runs int, horizon time.Duration, now func() time.Time) *progressLine {
	return &progressLine{w: w, what: what, runs: runs, horizon: horizon, now: now, start: now(), at: map[uint64]time.Duration{}}
}

// update is a simulate.ProgressFunc.
func (p *progressLine) update(seed uint64, at time.Duration, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done {
		delete(p.at, seed)
		p.done++
	} else {
		p.at[seed] = at
	}
	now := p.now()
	if !done && now.Sub(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn = now
	fmt.Fprintf(p.w, "\r%s\033[K", p.text(now))
}

// text renders the line at now.
func (p *progressLine) text(now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d runs done", p.what, p.done, p.runs)
	frac := float64(p.done)
	var reached time.Duration
	for _, at := range p.at {
		frac += float64(at) / float64(p.horizon)
		reached = max(reached, at)
	}
	if len(p.at) > 0 {
		fmt.Fprintf(&b, ", simulated %s of %s", simulate.Clock(int64(reached/time.Second)), simulate.Clock(int64(p.horizon/time.Second)))
	}
	frac /= float64(p.runs)
	if elapsed := now.Sub(p.start); frac > 0.01 && frac < 1 && elapsed >= time.Second {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac).Round(time.Second)
		fmt.Fprintf(&b, ", about %s left", left)
	}
	return b.String()
}

// clear erases the line.
func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\033[K")
}
