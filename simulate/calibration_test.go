package simulate

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// scaled shrinks the big cohorts of sc by f and keeps the vendor's own
// (internal) hosts as they are: the canary's size is absolute, the fleet's
// rates are per host.
func scaled(sc *Scenario, f float64) *Scenario {
	s := sc.Scaled(f)
	for i, co := range sc.Cohorts {
		if co.Labels["channel"] == "internal" {
			s.Cohorts[i] = co
		}
	}
	return s
}

func run1(t *testing.T, sc *Scenario, policyPath string, seed uint64) *Result {
	t.Helper()
	res, err := Run(context.Background(), sc, loadPlan(t, policyPath), seed)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func days(s *int64) float64 {
	if s == nil {
		return math.Inf(1)
	}
	return float64(*s) / 86400
}

// TestCrowdStrikeReplay checks the calibrated figures of
// examples/crowdstrike-2024 at 1% scale: about 8.5 million crashed hosts
// (within 10%), the file withdrawn 78 minutes after release, about 99%
// of them back around day 11 (between day 10 and 12.5); and under the recommended policy at most
// 0.01% of the affected hosts crash.
func TestCrowdStrikeReplay(t *testing.T) {
	// The tail of the recovery is slow (about 1% of the hosts in 4 days),
	// so the day of 99% moves with small differences in the crash count:
	// scale down no further than this.
	const scale = 0.05
	sc := loadExample(t, "crowdstrike-2024")
	res := run1(t, scaled(sc, scale), "../examples/crowdstrike-2024/all-at-once.hcl", 1)
	crashed := float64(res.Failed) / scale
	t.Logf("all at once: %.0f crashed (full scale), withdrawn at %s, 99%% back at day %.1f", crashed, Clock(*res.HaltedAfter), days(res.Recovered99))
	if math.Abs(crashed-8.5e6) > 0.1*8.5e6 {
		t.Errorf("crashed %.0f hosts, want 8.5 million within 10%%", crashed)
	}
	if res.HaltedAfter == nil || *res.HaltedAfter != 78*60 {
		t.Errorf("withdrawn at %v seconds, want 78 minutes", res.HaltedAfter)
	}
	if d := days(res.Recovered99); d < 10 || d > 12.5 {
		t.Errorf("99%% recovered at day %.1f, want about day 11", d)
	}

	rec := run1(t, scaled(sc, scale), "../examples/policies/recommended.hcl", 1)
	share := float64(rec.Failed) / crashed
	t.Logf("recommended: %d crashed = %.4f%% of the %.0f affected; rolled back at %s", rec.Failed, 100*share, crashed, Clock(*rec.HaltedAfter))
	if share > 0.0001 {
		t.Errorf("recommended policy crashed %d hosts, %.4f%% of the affected; want at most 0.01%%", rec.Failed, 100*share)
	}
	if !rec.RolledBack {
		t.Errorf("recommended policy did not roll back")
	}
}

// TestCloudflareReplay checks examples/cloudflare-2019 at full scale: a
// 27-minute outage at once, none under the recommended policy.
func TestCloudflareReplay(t *testing.T) {
	sc := loadExample(t, "cloudflare-2019")
	res := run1(t, sc, "../examples/cloudflare-2019/all-at-once.hcl", 1)
	t.Logf("all at once: %d of %d hosts down, outage %s", res.Failed, res.Hosts, Clock(res.OutageSeconds))
	if out := time.Duration(res.OutageSeconds) * time.Second; out < 26*time.Minute || out > 28*time.Minute {
		t.Errorf("outage %s, want about 27 minutes", out)
	}
	rec := run1(t, sc, "../examples/policies/recommended.hcl", 1)
	t.Logf("recommended: %d hosts down, outage %s, stopped at %s", rec.Failed, Clock(rec.OutageSeconds), Clock(*rec.HaltedAfter))
	if rec.OutageSeconds != 0 || rec.Failed > 60 {
		t.Errorf("recommended: %d failed, outage %ds; want only the canary, no outage", rec.Failed, rec.OutageSeconds)
	}
}

// TestGoodUpdateCoverage checks the price of safety at 1% scale: under
// the recommended policy a good update still reaches 95% of the fleet
// within 4 hours.
func TestGoodUpdateCoverage(t *testing.T) {
	sc := scaled(loadExample(t, "good-update"), 0.01)
	all := run1(t, sc, "../examples/good-update/all-at-once.hcl", 1)
	rec := run1(t, sc, "../examples/policies/recommended.hcl", 1)
	for _, r := range []*Result{all, rec} {
		t.Logf("50%% %s, 95%% %s, 99%% %s", clockOrNever(r.Coverage50), clockOrNever(r.Coverage95), clockOrNever(r.Coverage99))
	}
	if rec.Coverage95 == nil || *rec.Coverage95 > 4*3600 {
		t.Errorf("recommended: 95%% coverage at %s, want within 4h", clockOrNever(rec.Coverage95))
	}
	if rec.HaltedAfter != nil {
		t.Errorf("recommended halted a good update: %+v", rec.Decisions)
	}
}

func clockOrNever(s *int64) string {
	if s == nil {
		return "never"
	}
	return Clock(*s)
}

// TestFalseTriggers runs a healthy update under the recommended policy
// over many seeds and counts the runs a trigger stopped: the triggers must
// almost never fire on a good update.
func TestFalseTriggers(t *testing.T) {
	runs := 200
	if testing.Short() {
		runs = 10
	}
	sc := scaled(loadExample(t, "good-update"), 0.002)
	sc.Horizon = 12 * time.Hour
	s, err := New(sc, loadPlan(t, "../examples/policies/recommended.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.MonteCarlo(context.Background(), 7, runs, 0)
	if err != nil {
		t.Fatal(err)
	}
	fired := 0
	for _, r := range rep.Runs {
		for _, d := range r.Decisions {
			if d.Action == "halt" || d.Action == "rollback" {
				fired++
				t.Logf("seed %d: %s at %s: %s", r.Seed, d.Action, Clock(d.At), strings.Join(d.Reasons, "; "))
				break
			}
		}
	}
	t.Logf("triggers fired in %d of %d healthy runs (%d hosts each)", fired, runs, rep.Runs[0].Hosts)
	if fired > runs/50 {
		t.Errorf("triggers fired in %d of %d healthy runs", fired, runs)
	}
}
