package rollout

import (
	"fmt"
	"time"
)

// Schedule is a plan's nominal timeline for one update: when each step
// starts if every signal is healthy, every approval is granted on time and
// nothing is paused. Blackouts that apply to the update delay step starts.
type Schedule struct {
	Steps    []ScheduledStep
	Complete time.Time // when the last step's bake ends
}

// ScheduledStep is one step of a Schedule.
type ScheduledStep struct {
	Ring      string
	RingIndex int
	Step      int
	Percent   float64 // cumulative share of the ring
	Capped    bool    // the ring's tenant cap binds at this step
	Start     time.Time
	Bake      time.Duration
	Reasons   []string // why the start moved, e.g. a blackout
}

// Schedule returns the nominal timeline of u starting at start.
func (p *Plan) Schedule(u Update, start time.Time) Schedule {
	var s Schedule
	t := start
	for i := range p.Rings {
		bake := p.BakeFor(i, u.Urgency)
		for j := range p.Steps(i) {
			var reasons []string
			for moved := true; moved; {
				moved = false
				for k := range p.Blackouts {
					b := &p.Blackouts[k]
					if b.Applies(u.Urgency) && !t.Before(b.From) && t.Before(b.To) {
						reasons = append(reasons, fmt.Sprintf("delayed %s by blackout %q", b.To.Sub(t), b.Name))
						t, moved = b.To, true
					}
				}
			}
			pct, capped := p.StepPercent(i, j)
			s.Steps = append(s.Steps, ScheduledStep{
				Ring: p.Rings[i].Name, RingIndex: i, Step: j, Percent: pct, Capped: capped,
				Start: t, Bake: bake, Reasons: reasons,
			})
			t = t.Add(bake)
		}
	}
	s.Complete = t
	return s
}
