package rollout

import (
	"fmt"
	"time"
)

// Schedule is a plan's nominal timeline for one update: when each step
// starts if every signal is healthy, every approval is granted on time and
// nothing is paused. Blackouts that apply to the update delay step starts.
type Schedule struct {
	Rollout  string    // the plan's name
	Start    time.Time // when the rollout starts
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
	s := Schedule{Rollout: p.Name, Start: start}
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

// ScheduleJSON is the JSON contract of a schedule: the output of
// `ringwise plan -json` and the playground's plan, one type for both.
// Times are RFC 3339 in UTC, Percent is the cumulative share of the ring
// and OffsetSeconds counts whole seconds from Start.
type ScheduleJSON struct {
	Rollout  string             `json:"rollout"`
	Start    string             `json:"start"`
	Steps    []ScheduleStepJSON `json:"steps"`
	Complete string             `json:"complete"`
}

// ScheduleStepJSON is one step of a ScheduleJSON.
type ScheduleStepJSON struct {
	Ring          string  `json:"ring"`
	Percent       float64 `json:"percent"`
	Start         string  `json:"start"`
	OffsetSeconds int64   `json:"offset_seconds"`
}

// JSON returns the schedule in its JSON contract.
func (s Schedule) JSON() ScheduleJSON {
	rfc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	out := ScheduleJSON{Rollout: s.Rollout, Start: rfc(s.Start), Steps: make([]ScheduleStepJSON, 0, len(s.Steps)), Complete: rfc(s.Complete)}
	for _, st := range s.Steps {
		out.Steps = append(out.Steps, ScheduleStepJSON{
			Ring:          st.Ring,
			Percent:       st.Percent,
			Start:         rfc(st.Start),
			OffsetSeconds: int64(st.Start.Sub(s.Start) / time.Second),
		})
	}
	return out
}
