package rollout

import (
	"fmt"
	"time"
)

// Verdict is the host call's answer.
type Verdict uint8

const (
	Wait   Verdict = iota // not now; Eligibility.From says when, if known
	Take                  // the host may take the update now
	Revert                // the rollout was rolled back: a host that has the update should remove it
	Never                 // this rollout will never offer the host the update
)

var verdictNames = [...]string{"wait", "take", "revert", "never"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", v)
}

// Why says which rule decided an Eligibility.
type Why uint8

const (
	WhyExposed     Why = iota // the host's ring and step expose it
	WhyUnknownHost            // the fleet does not know the host
	WhyNoRing                 // no ring selects the host
	WhyOptedOut               // its tenant opted out of this kind of update
	WhyNotYet                 // its ring or rank is not reached yet
	WhyTenantCap              // its tenant is at the ring's tenant cap
	WhyBlackout               // a blackout is in force
	WhyMaintenance            // outside its tenant's maintenance windows
	WhyDeferred               // its tenant's deferral has not ended
	WhyPaused                 // the rollout is paused by hand
	WhyHalted                 // the rollout is halted
	WhyRolledBack             // the rollout was rolled back
	WhyBadState               // the state does not belong to this fleet or plan
	WhyClock                  // now is before the current step started
)

var whyNames = [...]string{
	"exposed", "unknown host", "no ring selects the host", "tenant opted out of this kind",
	"not reached yet", "tenant cap reached", "blackout", "outside maintenance window",
	"deferred", "paused", "halted", "rolled back", "state does not match fleet", "clock before current step",
}

func (w Why) String() string {
	if int(w) < len(whyNames) {
		return whyNames[w]
	}
	return fmt.Sprintf("Why(%d)", w)
}

// Eligibility is the answer to "may this host take the update now?".
type Eligibility struct {
	Verdict Verdict
	Why     Why
	// Rule names the policy rule that decided, e.g. "year-end" for a
	// blackout or the tenant's name, and Src says where it is written.
	Rule string
	Src  Source
	// From is the earliest time the host may take the update if nothing
	// but time changes (windows open, a blackout ends, a deferral runs
	// out); zero when it depends on the rollout advancing or never comes.
	From time.Time
}

// Eligible answers the host call: may host id take the update of st now?
// It is the hot path of an update server: it reads only the fleet index and
// st, takes no locks and does not allocate.
//
// The host's position must be reached (its ring done, or its rank within
// the current step's share and its tenant under the cap); then windows
// apply: no blackout in force for the update's urgency, the tenant's
// deferral over, inside one of the tenant's maintenance windows. No window
// ever blocks a rollback: once rolled back every known host gets Revert.
func (f *Fleet) Eligible(id string, st *State, now time.Time) Eligibility {
	i, ok := f.lookup(id)
	if !ok {
		return Eligibility{Verdict: Never, Why: WhyUnknownHost}
	}
	return f.EligibleAt(i, st, now)
}

// EligibleAt is Eligible for the host at position i of the inventory.
func (f *Fleet) EligibleAt(i int, st *State, now time.Time) Eligibility {
	if i < 0 || i >= len(f.hosts) {
		return Eligibility{Verdict: Never, Why: WhyUnknownHost}
	}
	if st.RolloutID != f.rollout {
		return Eligibility{Verdict: Wait, Why: WhyBadState}
	}
	// A rollback is never held, not even by a plan changed since.
	if st.Phase == RolledBack {
		return Eligibility{Verdict: Revert, Why: WhyRolledBack}
	}
	if st.PlanDigest != f.plan.digest || (st.Phase != Running && st.Phase != Halted && st.Phase != Complete) || st.Ring < 0 || st.Ring >= len(f.plan.Rings) || st.Step < -1 || st.Step >= f.plan.Steps(st.Ring) {
		return Eligibility{Verdict: Wait, Why: WhyBadState}
	}
	e := &f.hosts[i]
	if e.ring < 0 {
		return Eligibility{Verdict: Never, Why: WhyNoRing}
	}
	var tenant *Tenant
	if e.tenant >= 0 {
		tenant = &f.plan.Tenants[e.tenant]
		for _, k := range tenant.OptOut {
			if k == st.Update.Kind {
				return Eligibility{Verdict: Never, Why: WhyOptedOut, Rule: tenant.Name, Src: tenant.Src}
			}
		}
	}
	switch {
	case st.Phase == Halted:
		return Eligibility{Verdict: Wait, Why: WhyHalted}
	case st.Paused:
		return Eligibility{Verdict: Wait, Why: WhyPaused}
	case now.Before(st.StepStarted):
		return Eligibility{Verdict: Wait, Why: WhyClock, From: st.StepStarted}
	}
	if st.Phase != Complete && int(e.ring) >= st.Ring {
		if int(e.ring) > st.Ring || st.Step < int(f.steps[i].first) {
			why := WhyNotYet
			if int(e.ring) == st.Ring && st.Step >= int(f.steps[i].byRank) {
				why = WhyTenantCap
			}
			r := &f.plan.Rings[e.ring]
			return Eligibility{Verdict: Wait, Why: why, Rule: r.Name, Src: r.Src}
		}
	}
	// The position allows it; now the windows. Each constraint may push the
	// earliest time later; repeat until none does (a few rounds at most).
	t := now
	var why Why
	var rule string
	var src Source
	var windowAt time.Time
	var deferral time.Duration
	if tenant != nil {
		deferral = tenant.DeferFor(st.Update.Kind)
	}
	for range 16 {
		moved := false
		if tenant != nil && deferral > 0 {
			if st.GA.IsZero() {
				return Eligibility{Verdict: Wait, Why: WhyDeferred, Rule: tenant.Name, Src: tenant.Src}
			}
			if end := st.GA.Add(deferral); t.Before(end) {
				t, moved = end, true
				if why == 0 {
					why, rule, src = WhyDeferred, tenant.Name, tenant.Src
				}
			}
		}
		ti := instantOf(t)
		for k, span := range f.plan.blackoutSpans {
			b := &f.plan.Blackouts[k]
			if !ti.before(span.from) && ti.before(span.to) && b.Applies(st.Update.Urgency) {
				t, ti, moved = b.To, span.to, true
				if why == 0 {
					why, rule, src = WhyBlackout, b.Name, b.Src
				}
			}
		}
		if tenant != nil && len(tenant.Maintenance) > 0 && !t.Equal(windowAt) {
			if open := f.windowOpen(int(e.tenant), t, ti); open.After(t) {
				t, moved = open, true
				if why == 0 {
					why, rule, src = WhyMaintenance, tenant.Name, tenant.Maintenance[0].Src
				}
			}
			windowAt = t // open at t: no need to ask again unless t moves
		}
		if !moved {
			break
		}
	}
	if why != 0 {
		return Eligibility{Verdict: Wait, Why: why, Rule: rule, Src: src, From: t}
	}
	r := &f.plan.Rings[e.ring]
	return Eligibility{Verdict: Take, Why: WhyExposed, Rule: r.Name, Src: r.Src}
}
