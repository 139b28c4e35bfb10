package rollout

import (
	"fmt"
	"slices"
	"time"
)

// TenantSchedule is when one tenant's hosts may take each step of a
// Schedule: the step's nominal start moved by the tenant's deferral, the
// blackouts that apply to the update and the tenant's maintenance
// windows, with the tenant cap that binds at each step. It lists the
// steps of every ring the tenant's hosts may be in (every ring whose
// selector is not disjoint from the tenant's; the inventory decides which
// of them hold its hosts).
type TenantSchedule struct {
	Tenant   string
	OptedOut bool // the tenant opted out of the update's kind: no step
	Steps    []TenantStep
}

// TenantStep is one step of a TenantSchedule.
type TenantStep struct {
	Ring      string
	RingIndex int
	Step      int
	Percent   float64   // as ScheduledStep
	Hosts     int       // as ScheduledStep
	Start     time.Time // the step's nominal start
	// From is the earliest time the tenant's hosts in the ring may take the
	// step: Start, or later by Reasons.
	From time.Time
	// Cap is the ring's tenant cap when it binds at this step: at most Cap
	// percent of the tenant's hosts in the ring are updated. 0: none.
	Cap     float64
	Reasons []string // why From is after Start, in order
}

// TenantSchedule returns when the hosts of tenant (a Tenant's name) may
// take each step of s, the schedule of u (see Plan.Schedule). The
// deferral counts from general availability, the start of the last ring
// in s. It returns an error when the plan has no such tenant.
func (p *Plan) TenantSchedule(s Schedule, u Update, tenant string) (TenantSchedule, error) {
	k := slices.IndexFunc(p.Tenants, func(t Tenant) bool { return t.Name == tenant })
	if k < 0 {
		names := make([]string, len(p.Tenants))
		for i, t := range p.Tenants {
			names[i] = t.Name
		}
		return TenantSchedule{}, fmt.Errorf("rollout: no tenant %q (tenants: %q)", tenant, names)
	}
	tn := &p.Tenants[k]
	out := TenantSchedule{Tenant: tn.Name}
	if slices.Contains(tn.OptOut, u.Kind) {
		out.OptedOut = true
		return out, nil
	}
	var ga time.Time
	for _, st := range s.Steps {
		if st.RingIndex == len(p.Rings)-1 && st.Step == 0 {
			ga = st.Start
			break
		}
	}
	for _, st := range s.Steps {
		r := &p.Rings[st.RingIndex]
		if r.Select.Disjoint(tn.Select) {
			continue
		}
		ts := TenantStep{Ring: st.Ring, RingIndex: st.RingIndex, Step: st.Step, Percent: st.Percent, Hosts: st.Hosts, Start: st.Start}
		if st.Capped {
			ts.Cap = r.TenantCap
		}
		ts.From, ts.Reasons = p.tenantFrom(tn, u, st.Start, ga)
		out.Steps = append(out.Steps, ts)
	}
	return out, nil
}

// tenantFrom moves t past the tenant's deferral (from ga), the blackouts
// that apply to u and outside the tenant's maintenance windows, as the
// host call does, saying why at each move.
func (p *Plan) tenantFrom(tn *Tenant, u Update, t, ga time.Time) (time.Time, []string) {
	var reasons []string
	for range 64 {
		moved := false
		if d := tn.DeferFor(u.Kind); d > 0 && !ga.IsZero() {
			if end := ga.Add(d); t.Before(end) {
				reasons = append(reasons, fmt.Sprintf("deferred %s after general availability (%s)", d, ga.UTC().Format(time.RFC3339)))
				t, moved = end, true
			}
		}
		for k := range p.Blackouts {
			b := &p.Blackouts[k]
			if b.Applies(u.Urgency) && !t.Before(b.From) && t.Before(b.To) {
				reasons = append(reasons, fmt.Sprintf("blackout %q until %s", b.Name, b.To.UTC().Format(time.RFC3339)))
				t, moved = b.To, true
			}
		}
		if len(tn.Maintenance) > 0 {
			if open := windowsOpen(tn.Maintenance, t); open.After(t) {
				reasons = append(reasons, fmt.Sprintf("maintenance window opens %s", open.UTC().Format(time.RFC3339)))
				t, moved = open, true
			}
		}
		if !moved {
			break
		}
	}
	return t, reasons
}
