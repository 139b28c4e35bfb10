package rollout

import (
	"fmt"
	"slices"
	"strings"
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
	// Tenants holds the tenant schedules a caller added (see
	// Plan.TenantSchedule); Plan.Schedule leaves it empty.
	Tenants []TenantSchedule
}

// ScheduledStep is one step of a Schedule.
type ScheduledStep struct {
	Ring      string
	RingIndex int
	Step      int
	Percent   float64 // cumulative share of the ring; 0 for a step of Hosts
	Hosts     int     // a step of a number of hosts (Ring.CanaryHosts), else 0
	Capped    bool    // the ring's tenant cap binds at this step
	Start     time.Time
	Bake      time.Duration
	Reasons   []string // why the start moved, e.g. a blackout
	// Notes say what else holds at the step: the ring's approval and cover
	// (at its first step), its tenant cap, and the release step that lifts
	// the cap.
	Notes []string
}

// Schedule returns the nominal timeline of u starting at start.
func (p *Plan) Schedule(u Update, start time.Time) Schedule {
	s := Schedule{Rollout: p.Name, Start: start}
	t := start
	var delayed []string
	if d := p.StartDelayFor(u.Urgency); d > 0 {
		t = t.Add(d)
		delayed = append(delayed, fmt.Sprintf("first step delayed %s by start_delay", d))
	}
	for i := range p.Rings {
		for j := range p.Steps(i) {
			bake := p.StepBake(i, j, u.Urgency)
			reasons := delayed
			delayed = nil
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
				Ring: p.Rings[i].Name, RingIndex: i, Step: j, Percent: pct, Hosts: p.StepHosts(i, j), Capped: capped,
				Start: t, Bake: bake, Reasons: reasons, Notes: p.stepNotes(i, j, capped),
			})
			t = t.Add(bake)
		}
	}
	s.Complete = t
	return s
}

// stepNotes returns the notes of step j of ring i (see ScheduledStep).
func (p *Plan) stepNotes(i, j int, capped bool) []string {
	r := &p.Rings[i]
	var notes []string
	if j == 0 && r.Approval || slices.Contains(r.ApproveSteps, j+1) {
		notes = append(notes, "needs approval")
	}
	if capped {
		notes = append(notes, fmt.Sprintf("tenant cap %g%%", r.TenantCap))
	}
	if j >= r.baseSteps() {
		notes = append(notes, "release: tenant cap lifted")
	}
	if j == 0 && len(r.Cover) > 0 {
		notes = append(notes, "cover "+strings.Join(r.Cover, ", "))
	}
	return notes
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
	// Tenants are the tenant schedules asked for (Schedule.Tenants), when
	// any: plan -json -tenant NAME.
	Tenants []TenantScheduleJSON `json:"tenants,omitempty"`
}

// TenantScheduleJSON is a TenantSchedule in the JSON contract: each
// step's From as a time and as FromOffsetSeconds from the schedule's
// start, the binding tenant cap (0: none) and the reasons for the wait.
type TenantScheduleJSON struct {
	Tenant   string           `json:"tenant"`
	OptedOut bool             `json:"opted_out,omitempty"`
	Steps    []TenantStepJSON `json:"steps"`
}

// TenantStepJSON is one step of a TenantScheduleJSON.
type TenantStepJSON struct {
	Ring              string   `json:"ring"`
	Step              int      `json:"step"`
	Percent           float64  `json:"percent"`
	Hosts             int      `json:"hosts,omitempty"`
	Start             string   `json:"start"`
	From              string   `json:"from"`
	FromOffsetSeconds int64    `json:"from_offset_seconds"`
	Cap               float64  `json:"tenant_cap,omitempty"`
	Reasons           []string `json:"reasons,omitempty"`
}

// ScheduleStepJSON is one step of a ScheduleJSON: Step counts from 1
// within the ring, Hosts is set (and Percent 0) for a step of a number
// of hosts, BakeSeconds is the step's bake, Notes and Delays are
// ScheduledStep's Notes and Reasons (left out when empty).
type ScheduleStepJSON struct {
	Ring          string   `json:"ring"`
	Step          int      `json:"step"`
	Percent       float64  `json:"percent"`
	Hosts         int      `json:"hosts,omitempty"`
	Start         string   `json:"start"`
	OffsetSeconds int64    `json:"offset_seconds"`
	BakeSeconds   int64    `json:"bake_seconds"`
	Notes         []string `json:"notes,omitempty"`
	Delays        []string `json:"delays,omitempty"`
}

// JSON returns the schedule in its JSON contract.
func (s Schedule) JSON() ScheduleJSON {
	rfc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	out := ScheduleJSON{Rollout: s.Rollout, Start: rfc(s.Start), Steps: make([]ScheduleStepJSON, 0, len(s.Steps)), Complete: rfc(s.Complete)}
	for _, st := range s.Steps {
		out.Steps = append(out.Steps, ScheduleStepJSON{
			Ring:          st.Ring,
			Step:          st.Step + 1,
			Percent:       st.Percent,
			Hosts:         st.Hosts,
			Start:         rfc(st.Start),
			OffsetSeconds: int64(st.Start.Sub(s.Start) / time.Second),
			BakeSeconds:   int64(st.Bake / time.Second),
			Notes:         st.Notes,
			Delays:        st.Reasons,
		})
	}
	for _, ts := range s.Tenants {
		tj := TenantScheduleJSON{Tenant: ts.Tenant, OptedOut: ts.OptedOut, Steps: make([]TenantStepJSON, 0, len(ts.Steps))}
		for _, st := range ts.Steps {
			tj.Steps = append(tj.Steps, TenantStepJSON{
				Ring: st.Ring, Step: st.Step + 1, Percent: st.Percent, Hosts: st.Hosts,
				Start: rfc(st.Start), From: rfc(st.From), FromOffsetSeconds: int64(st.From.Sub(s.Start) / time.Second),
				Cap: st.Cap, Reasons: st.Reasons,
			})
		}
		out.Tenants = append(out.Tenants, tj)
	}
	return out
}
