package simulate

import (
	"context"
	"testing"
	"time"
)

// TestBaselineSilent: Baseline.Silent is the number of targeted hosts not
// yet updated that have been offline for longer than silent_after, counted
// host by host here on a fleet small enough to be sampled whole, and a
// share of the baseline in the range its cohorts' churn allows.
func TestBaselineSilent(t *testing.T) {
	sc := loadExample(t, "good-update").Scaled(0.005)
	sc.Telemetry.Delay = 0
	sc.Horizon = 6 * time.Hour // mid-rollout: the broad ring is being exposed
	s, err := New(sc, loadPlan(t, "../examples/policies/content.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if s.baseMask != 0 {
		t.Fatalf("a fleet of %d hosts is sampled every %d hosts, want every host", s.inv.Len(), s.baseMask+1)
	}
	_, r, err := s.runState(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	k := r.ticks
	obs := r.observe(k)
	T := int64(k) * r.res
	sa := int64(sc.Telemetry.SilentAfter / time.Second)
	want := 0
	for i := range r.h {
		if r.h[i].state != stWaiting || s.fleet.RingOf(i) < 0 {
			continue
		}
		p := r.cohort(i)
		if p.online >= 1 {
			continue
		}
		// Offline at T and since T - silent_after at least.
		ph := r.sessionPhase(i, p)
		quiet := true
		for slot := floorDiv(T-sa+ph, p.session); slot <= floorDiv(T+ph, p.session); slot++ {
			if r.online(i, p, slot*p.session-ph) {
				quiet = false
				break
			}
		}
		if quiet {
			want++
		}
	}
	if got := obs.Baseline.Silent; got < want-2 || got > want+2 {
		t.Errorf("Baseline.Silent = %d of %d, counted host by host %d", got, obs.Baseline.Hosts, want)
	}
	if share := float64(obs.Baseline.Silent) / float64(obs.Baseline.Hosts); share < 0.005 || share > 0.1 {
		t.Errorf("baseline silent share %.4f (%d of %d), want within the cohorts' churn", share, obs.Baseline.Silent, obs.Baseline.Hosts)
	}
	t.Logf("baseline: %d of %d silent (host by host %d); updated: %d of %d", obs.Baseline.Silent, obs.Baseline.Hosts, want, obs.Updated.Silent, obs.Updated.Hosts)
}
