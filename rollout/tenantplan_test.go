package rollout

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestTenantScheduleProperty: a tenant's From for a step is never before
// the step's start nor its deferral's end, never inside a blackout that
// applies, always inside one of its maintenance windows, and the steps
// listed are those of the rings its selector is not disjoint from.
func TestTenantScheduleProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := must(Compile(genPlan(t, genOpts{windows: true})))
		u := Update{ID: "u", Kind: "content", Urgency: rapid.SampledFrom([]string{"", "emergency"}).Draw(t, "urgency")}
		s := p.Schedule(u, t0)
		ga := s.Steps[slices.IndexFunc(s.Steps, func(st ScheduledStep) bool { return st.RingIndex == len(p.Rings)-1 })].Start
		for _, tn := range p.Tenants {
			ts := must(p.TenantSchedule(s, u, tn.Name))
			if ts.OptedOut != slices.Contains(tn.OptOut, u.Kind) || ts.OptedOut && len(ts.Steps) > 0 {
				t.Fatalf("tenant %q: opted out %t with %d steps", tn.Name, ts.OptedOut, len(ts.Steps))
			}
			for _, st := range ts.Steps {
				switch {
				case st.From.Before(st.Start):
					t.Fatalf("tenant %q: from %s before the step starts %s", tn.Name, st.From, st.Start)
				case tn.DeferFor(u.Kind) > 0 && st.From.Before(ga.Add(tn.DeferFor(u.Kind))):
					t.Fatalf("tenant %q: from %s before its deferral ends", tn.Name, st.From)
				case len(tn.Maintenance) > 0 && !slices.ContainsFunc(tn.Maintenance, func(w Window) bool { return w.Contains(st.From) }):
					t.Fatalf("tenant %q: from %s outside its windows", tn.Name, st.From)
				case st.From.After(st.Start) && len(st.Reasons) == 0:
					t.Fatalf("tenant %q: from %s after the start %s with no reason", tn.Name, st.From, st.Start)
				}
				for _, b := range p.Blackouts {
					if b.Applies(u.Urgency) && !st.From.Before(b.From) && st.From.Before(b.To) {
						t.Fatalf("tenant %q: from %s inside blackout %q", tn.Name, st.From, b.Name)
					}
				}
			}
		}
		if _, err := p.TenantSchedule(s, u, "no-such-tenant"); err == nil {
			t.Fatal("no error for an unknown tenant")
		}
	})
}
