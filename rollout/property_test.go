package rollout

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// rolloutMachine is a rapid state machine over one rollout: random plans,
// fleets, observations and clocks (jumping backwards too), pauses, halts,
// resumes, a plan changed under the rollout and its adoption, and state
// JSON round trips. After every action it checks the host call's
// guarantees for every host; every controller call checks the controller's.
type rolloutMachine struct {
	opts  genOpts
	hosts []Host
	ring  []int // ring index of each host by the plan's selectors, -1 none
	plans [2]*Plan
	flts  [2]*Fleet
	cur   int // which plan the controller now uses
	st    State
	now   time.Time
	obs   Observation
	ever  map[string]bool // hosts the position has exposed
}

func newRolloutMachine(t *rapid.T, o genOpts) *rolloutMachine {
	m := &rolloutMachine{opts: o, ever: map[string]bool{}}
	p := genPlan(t, o)
	plan, err := Compile(p)
	if err != nil {
		t.Fatalf("generated plan does not compile: %v", err)
	}
	// The changed plan: every bake doubled (same rings, same exposure).
	p2 := clonePlan(p)
	for i := range p2.Rings {
		p2.Rings[i].Bake *= 2
		for j := range p2.Rings[i].Bakes {
			p2.Rings[i].Bakes[j] *= 2
		}
	}
	plan2, err := Compile(p2)
	if err != nil {
		t.Fatalf("changed plan does not compile: %v", err)
	}
	m.plans = [2]*Plan{plan, plan2}
	m.hosts = genHosts(t)
	id := rapid.SampledFrom([]string{"r-1", "r-2", "content-2026-11-24"}).Draw(t, "rolloutID")
	for k, pl := range m.plans {
		f, err := NewFleet(pl, id, m.hosts)
		if err != nil {
			t.Fatalf("NewFleet: %v", err)
		}
		m.flts[k] = f
	}
	m.ring = make([]int, len(m.hosts))
	for i, h := range m.hosts {
		m.ring[i] = slices.IndexFunc(plan.Rings, func(r Ring) bool { return r.Select.Matches(h.Labels) })
	}
	m.now = t0
	u := Update{ID: "u1", Kind: "content", Urgency: rapid.SampledFrom([]string{"", "emergency"}).Draw(t, "urgency")}
	m.st, err = m.flts[0].Start(u, m.now)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return m
}

func (m *rolloutMachine) fleet() *Fleet { return m.flts[m.cur] }
func (m *rolloutMachine) plan() *Plan   { return m.plans[m.cur] }

// updatedHosts is how many hosts the current position exposes.
func (m *rolloutMachine) updatedHosts() int {
	f := m.fleet()
	n := 0
	for r := range m.st.Ring {
		n += f.RingSize(r)
	}
	if m.st.Ring < len(m.plan().Rings) {
		n += f.Target(m.st.Ring, m.st.Step)
	}
	return n
}

func (m *rolloutMachine) drawObservation(t *rapid.T) Observation {
	hosts := m.updatedHosts()
	if rapid.IntRange(0, 2).Draw(t, "fewerHosts") == 0 {
		hosts = rapid.IntRange(0, hosts).Draw(t, "hosts")
	}
	o := Observation{
		At: m.now.Add(-time.Duration(rapid.IntRange(-1, 180).Draw(t, "obsAge")) * time.Minute),
		Updated: Cohort{
			Hosts: hosts,
			Signals: map[string]Signal{
				"crash": {Count: float64(rapid.IntRange(0, 3).Draw(t, "crash"))},
				"err": {Count: float64(rapid.IntRange(0, 12).Draw(t, "err")),
					Hours: float64(rapid.IntRange(0, 2000).Draw(t, "hours"))},
			},
		},
		Baseline: Cohort{Hosts: 100, Signals: map[string]Signal{"crash": {Count: 1}}},
	}
	o.Updated.Silent = rapid.IntRange(0, hosts/3).Draw(t, "silent")
	o.Updated.Hours = float64(rapid.IntRange(0, 60).Draw(t, "exposure"))
	o.Baseline.Silent = rapid.IntRange(0, 10).Draw(t, "baselineSilent")
	if rapid.IntRange(0, 3).Draw(t, "sickBaseline") == 0 {
		o.Baseline.Silent = rapid.IntRange(0, 100).Draw(t, "sickSilent")
		o.Baseline.Signals["crash"] = Signal{Count: float64(rapid.IntRange(0, 50).Draw(t, "baseCrash"))}
	}
	if rapid.IntRange(0, 4).Draw(t, "baseErr") > 0 {
		o.Baseline.Signals["err"] = Signal{Count: float64(rapid.IntRange(0, 60).Draw(t, "baseErrCount")),
			Hours: float64(rapid.IntRange(0, 4000).Draw(t, "baseErrHours"))}
	}
	if rapid.IntRange(0, 9).Draw(t, "noBaseline") == 0 {
		o.Baseline.Hosts, o.Baseline.Silent = 0, 0
	}
	o.Updated.Healthy = rapid.IntRange(max(0, hosts-hosts/4-1), hosts).Draw(t, "healthy")
	if rapid.IntRange(0, 9).Draw(t, "missing") == 0 {
		delete(o.Updated.Signals, rapid.SampledFrom([]string{"crash", "err"}).Draw(t, "missingSignal"))
	}
	for _, r := range m.plan().Rings {
		if r.Approval && rapid.Bool().Draw(t, "approve") {
			o.Approvals = append(o.Approvals, Approval{Ring: r.Name, By: "alice"})
		}
		for _, s := range r.ApproveSteps {
			if rapid.Bool().Draw(t, "approveStep") {
				o.Approvals = append(o.Approvals, Approval{Ring: r.Name, Step: s, By: "alice"})
			}
		}
	}
	if rapid.IntRange(0, 5).Draw(t, "byStratum") > 0 {
		o.ByStratum = map[string]Stratum{}
		for _, k := range oracleStrata([]string{"os"}, m.hosts) {
			if rapid.IntRange(0, 5).Draw(t, "stratumMissing") == 0 {
				continue
			}
			n := rapid.IntRange(0, max(hosts/2, 1)).Draw(t, "stratumHosts")
			o.ByStratum[k] = Stratum{
				Updated: Cohort{Hosts: n, Healthy: n, Silent: rapid.IntRange(0, n/2).Draw(t, "stratumSilent"), Signals: map[string]Signal{
					"crash": {Count: float64(rapid.IntRange(0, 3).Draw(t, "stratumCrash"))},
					"err":   {Count: float64(rapid.IntRange(0, 12).Draw(t, "stratumErr")), Hours: float64(rapid.IntRange(0, 1000).Draw(t, "stratumHours"))},
				}},
				Baseline: Cohort{Hosts: 30, Silent: rapid.IntRange(0, 20).Draw(t, "stratumBaseSilent"), Signals: map[string]Signal{
					"crash": {Count: float64(rapid.IntRange(0, 20).Draw(t, "stratumBaseCrash"))},
					"err":   {Count: float64(rapid.IntRange(0, 30).Draw(t, "stratumBaseErr")), Hours: float64(rapid.IntRange(0, 3000).Draw(t, "stratumBaseHours"))},
				}},
			}
		}
	}
	o.Updated.Strata = map[string]int{}
	for r := range m.plan().Rings {
		for _, s := range m.fleet().Strata(r) {
			if rapid.IntRange(0, 5).Draw(t, "stratum") > 0 {
				o.Updated.Strata[s] = 1
			}
		}
	}
	return o
}

// cleanObservation draws an observation on which a rollout may advance:
// fresh, every signal present in every cohort and stratum, no failures,
// and a number of updated hosts around the evidence bars.
func (m *rolloutMachine) cleanObservation(t *rapid.T) Observation {
	hosts := m.updatedHosts()
	hosts = rapid.IntRange(max(hosts-hosts/2-1, 0), hosts).Draw(t, "cleanHosts")
	quiet := func() map[string]Signal { return map[string]Signal{"crash": {}, "err": {Hours: 1}} }
	o := Observation{
		At:       m.now,
		Updated:  Cohort{Hosts: hosts, Healthy: hosts, Signals: quiet(), Hours: m.st.StepHours + float64(rapid.IntRange(0, 40).Draw(t, "cleanExposure"))},
		Baseline: Cohort{Hosts: 100, Healthy: 100, Signals: quiet()},
	}
	o.ByStratum = map[string]Stratum{}
	for _, k := range oracleStrata([]string{"os"}, m.hosts) {
		o.ByStratum[k] = Stratum{Updated: Cohort{Signals: quiet()}, Baseline: Cohort{Hosts: 10, Healthy: 10, Signals: quiet()}}
	}
	o.Updated.Strata = map[string]int{}
	for r := range m.plan().Rings {
		for _, s := range m.fleet().Strata(r) {
			o.Updated.Strata[s] = 1
		}
		if m.plan().Rings[r].Approval {
			o.Approvals = append(o.Approvals, Approval{Ring: m.plan().Rings[r].Name, By: "alice"})
		}
	}
	return o
}

// oracleFires is a plain reading of the trigger rules: does any trigger
// fire on obs for st? An attributed trigger fires when its condition holds
// on the updated hosts and the baseline, when there is one, has the
// trigger's signal and does not meet the condition itself.
//
// A trigger with By is read on every stratum of the hosts (its alpha split
// evenly over them for a sequential test), each from the stratum's own
// counts and acknowledged counts; it fires when one stratum does, and
// never without per-stratum counts.
func oracleFires(p *Plan, hosts []Host, st State, obs Observation) bool {
	for _, tr := range p.Triggers {
		if len(tr.By) == 0 {
			if oracleFiresOne(tr, st, obs) {
				return true
			}
			continue
		}
		keys := oracleStrata(tr.By, hosts)
		if len(obs.ByStratum) == 0 {
			continue
		}
		if tr.Kind == Sequential {
			tr.Alpha /= float64(len(keys))
		}
		for _, k := range keys {
			s, ok := obs.ByStratum[k]
			if !ok {
				continue
			}
			var sst State
			if a, ok := st.AckedStrata[k]; ok {
				sst.Acked = &a
			}
			if oracleFiresOne(tr, sst, Observation{Updated: s.Updated, Baseline: s.Baseline}) {
				return true
			}
		}
	}
	return false
}

// oracleStrata lists the distinct values of the by labels among hosts as
// keys "label=value,...".
func oracleStrata(by []string, hosts []Host) []string {
	var keys []string
	for _, h := range hosts {
		parts := make([]string, len(by))
		for i, l := range by {
			parts[i] = l + "=" + h.Labels[l]
		}
		if k := strings.Join(parts, ","); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// oracleFiresOne reads one trigger on one pair of cohorts. An attributed
// trigger's bar applies to the excess over the baseline: the rate (or
// silent share) of the updated hosts less the baseline's must be above
// the threshold; a sequential test's healthy rate is the larger of Rate
// and the baseline's observed rate.
func oracleFiresOne(tr Trigger, st State, obs Observation) bool {
	if !oracleCondition(tr, st, obs) {
		return false
	}
	b := obs.Baseline
	if !tr.Attributed || b.Hosts <= 0 {
		return true
	}
	bs, ok := b.Signals[tr.Signal]
	if !ok && !tr.Kind.silence() {
		return false
	}
	var acked Cohort
	if st.Acked != nil {
		acked = *st.Acked
	}
	u := obs.Updated
	switch tr.Kind {
	case Absolute:
		c := u.Signals[tr.Signal].Count - acked.Signals[tr.Signal].Count
		return c/float64(max(u.Hosts, 1))-bs.Count/float64(b.Hosts) > tr.Threshold
	case Silence:
		s := u.Silent - acked.Silent
		return float64(s)/float64(max(u.Hosts, 1))-float64(max(b.Silent, 0))/float64(b.Hosts) > tr.Threshold
	case Sequential:
		if bs.Count > 0 && !(bs.Hours > 0) {
			return false
		}
		if bs.Hours > 0 && bs.Count/bs.Hours > tr.Rate {
			tr.Rate = bs.Count / bs.Hours
		}
		return oracleCondition(tr, st, obs)
	}
	return true
}

// oracleHolds reports whether an attributed trigger's condition holds on
// the updated hosts: it either fires or holds, and never lets the rollout
// advance.
func oracleHolds(p *Plan, st State, obs Observation) bool {
	return slices.ContainsFunc(p.Triggers, func(tr Trigger) bool { return len(tr.By) == 0 && tr.Attributed && oracleCondition(tr, st, obs) })
}

// oracleCondition reports whether trigger tr's condition holds on the
// updated hosts of obs.
func oracleCondition(tr Trigger, st State, obs Observation) bool {
	{
		u := obs.Updated
		var acked Cohort
		if st.Acked != nil {
			acked = *st.Acked
		}
		switch tr.Kind {
		case Silence:
			s := u.Silent - acked.Silent
			if u.Hosts > 0 && s >= max(tr.MinCount, 1) && float64(s)/float64(u.Hosts) > tr.Threshold {
				return true
			}
		case SilenceBaseline:
			// More than ratio times the baseline's silent share, a quiet
			// baseline counting one silent host; cross-multiplied.
			s := u.Silent - acked.Silent
			b := obs.Baseline
			if u.Hosts > 0 && b.Hosts > 0 && s >= max(tr.MinCount, 1) &&
				float64(s)*float64(b.Hosts) > tr.Threshold*float64(max(b.Silent, 1))*float64(u.Hosts) {
				return true
			}
		case Absolute:
			sig, ok := u.Signals[tr.Signal]
			c := sig.Count - acked.Signals[tr.Signal].Count
			if ok && u.Hosts > 0 && c >= float64(max(tr.MinCount, 1)) && c/float64(u.Hosts) > tr.Threshold {
				return true
			}
		case Sequential:
			sig, ok := u.Signals[tr.Signal]
			c := sig.Count - acked.Signals[tr.Signal].Count
			h := sig.Hours - acked.Signals[tr.Signal].Hours
			if ok && c*math.Log(tr.Ratio)-(tr.Ratio-1)*tr.Rate*h >= math.Log(1/tr.Alpha) {
				return true
			}
		}
	}
	return false
}

func hasReason(d Decision, substr string) bool {
	return slices.ContainsFunc(d.Reasons, func(r Reason) bool { return strings.Contains(r.Message, substr) })
}

func (m *rolloutMachine) Decide(t *rapid.T) {
	delta := time.Duration(rapid.IntRange(-180, 36*60).Draw(t, "minutes")) * time.Minute
	if rapid.IntRange(0, 3).Draw(t, "sameTime") == 0 {
		delta = 0
	}
	m.now = m.now.Add(delta)
	if rapid.IntRange(0, 3).Draw(t, "newObs") > 0 || m.obs.At.IsZero() {
		m.obs = m.drawObservation(t)
		switch rapid.IntRange(0, 4).Draw(t, "obsKind") {
		case 0:
			m.obs = m.drawWildObservation(t, m.now)
		case 1:
			m.obs = m.cleanObservation(t)
		}
	}
	f, p, prev, now, obs := m.fleet(), m.plan(), m.st, m.now, m.obs
	if rapid.IntRange(0, 19).Draw(t, "unrecordable") == 0 {
		now = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	d := f.Decide(context.Background(), prev, obs, now)

	// Determinism: the same inputs give the same decision.
	if diff := cmp.Diff(d, f.Decide(context.Background(), prev, obs, now)); diff != "" {
		t.Fatalf("Decide is not deterministic (-first +second):\n%s", diff)
	}
	// A pause never outlives the plan's pause_limit past a decision: the
	// rollout halts when the total reaches it.
	if lim := p.PauseLimit; lim > 0 && recordable(now) && !obs.At.After(now) && d.State.Phase == Running && d.State.Paused && prev.PlanDigest == p.Digest() &&
		!now.Before(prev.Last) && !d.State.PausedAt.IsZero() && d.State.PausedFor+now.Sub(d.State.PausedAt) >= lim {
		t.Fatalf("still paused at %s after %s in all, pause_limit %s", now, d.State.PausedFor+now.Sub(d.State.PausedAt), lim)
	}
	pos := func(s State) string { return fmt.Sprintf("%s/%d/%d", s.Phase, s.Ring, s.Step) }
	switch {
	case !recordable(now) && prev.Phase != RolledBack:
		if d.Action != Hold || !hasReason(d, "outside the years") {
			t.Fatalf("time %s: got %s %v", now, d.Action, d.Reasons)
		}
		if diff := cmp.Diff(prev, d.State); diff != "" {
			t.Fatalf("time %s changed the state (-before +after):\n%s", now, diff)
		}
	case prev.Phase == RolledBack:
		if d.Action != Rollback || pos(d.State) != pos(prev) {
			t.Fatalf("rolled back rollout: got %s at %s", d.Action, pos(d.State))
		}
	case prev.Phase == Complete:
		// A complete rollout still answers to its triggers.
		fires := prev.PlanDigest == p.Digest() && !now.Before(prev.Last) && !obs.At.After(now) && oracleFires(p, m.hosts, prev, obs)
		if fires && d.Action != Halt && d.Action != Rollback {
			t.Fatalf("complete rollout, a trigger fires: got %s", d.Action)
		}
		if !fires && d.Action != Done {
			t.Fatalf("complete rollout: got %s", d.Action)
		}
	case now.Before(prev.Last):
		if d.Action == Advance || pos(d.State) != pos(prev) || !hasReason(d, "clock went backwards") {
			t.Fatalf("clock went backwards (%s < %s): got %s at %s", now, prev.Last, d.Action, pos(d.State))
		}
		if prev.Phase != Complete {
			if diff := cmp.Diff(prev, d.State); diff != "" {
				t.Fatalf("a clock that went backwards changed the state (-before +after):\n%s", diff)
			}
		}
	case prev.PlanDigest != p.Digest():
		if d.Action != Hold || !hasReason(d, "plan changed under a running rollout") || pos(d.State) != pos(prev) {
			t.Fatalf("plan changed: got %s %v", d.Action, d.Reasons)
		}
	case !obs.At.After(now) && oracleFires(p, m.hosts, prev, obs):
		if d.Action != Halt && d.Action != Rollback {
			t.Fatalf("a trigger fires but the decision is %s: %v", d.Action, d.Reasons)
		}
	case prev.Phase == Running && prev.Paused && p.PauseLimit > 0 && !prev.PausedAt.IsZero() && !obs.At.After(now) &&
		prev.PausedFor+now.Sub(prev.PausedAt) >= p.PauseLimit:
		if d.Action != Halt || !hasReason(d, "pause_limit") || d.State.Paused {
			t.Fatalf("a pause past its pause_limit: got %s %v", d.Action, d.Reasons)
		}
	case prev.Phase == Running && (d.Action == Halt || d.Action == Rollback):
		// No trigger fires by the reference reading (an attributed one
		// whose baseline shows the same condition holds instead).
		t.Fatalf("%s with no trigger firing: %v\ntriggers %+v\nobs %+v\nacked %+v", d.Action, d.Reasons, p.Triggers, obs, prev.Acked)
	case prev.Phase == Halted && !obs.At.After(now):
		if d.Action != Halt || pos(d.State) != pos(prev) {
			t.Fatalf("halted rollout: got %s", d.Action)
		}
	}
	if d.Action == Advance || d.Action == Done && prev.Phase != Complete {
		m.checkAdvance(t, prev, obs, now, d)
	}
	if d.Action == Advance {
		// Stepping again on the same observation at the same time does not
		// advance a second time.
		if again := f.Decide(context.Background(), d.State, obs, now); again.Action == Advance {
			t.Fatalf("advanced twice on one observation at %s: %v then %v", now, d.Reasons, again.Reasons)
		}
	}
	m.st = d.State
}

// checkAdvance checks that nothing that should hold an advance was there.
func (m *rolloutMachine) checkAdvance(t *rapid.T, prev State, obs Observation, now time.Time, d Decision) {
	p, f := m.plan(), m.fleet()
	switch {
	case prev.Phase != Running:
		t.Fatalf("advanced a rollout that is %s", prev.Phase)
	case prev.Paused:
		t.Fatalf("advanced a paused rollout")
	case prev.PlanDigest != p.Digest():
		t.Fatalf("advanced under a changed plan")
	case now.Before(prev.Last):
		t.Fatalf("advanced on a clock that went backwards")
	case obs.At.After(now):
		t.Fatalf("advanced on an observation from the future")
	case wild(prev, obs, now):
		t.Fatalf("advanced on an observation no fleet can produce: %+v", obs)
	}
	for _, b := range p.Blackouts {
		if b.Applies(prev.Update.Urgency) && !now.Before(b.From) && now.Before(b.To) {
			t.Fatalf("advanced inside blackout %q", b.Name)
		}
	}
	for _, tr := range p.Triggers {
		if _, ok := obs.Updated.Signals[tr.Signal]; len(tr.By) == 0 && tr.Kind != Silence && tr.Kind != SilenceBaseline && !ok {
			t.Fatalf("advanced with signal %q missing", tr.Signal)
		}
		for k, s := range obs.ByStratum {
			if _, ok := s.Updated.Signals[tr.Signal]; len(tr.By) > 0 && !tr.Kind.silence() && !ok {
				t.Fatalf("advanced with signal %q of stratum %s missing", tr.Signal, k)
			}
		}
	}
	for _, tr := range p.Triggers {
		if len(tr.By) > 0 && len(obs.ByStratum) == 0 {
			t.Fatalf("advanced without per-stratum counts for trigger %q by %q", tr.Name, tr.By)
		}
	}
	if prev.Step >= 0 {
		// Evidence: the ring's share of offered hosts took the update (its
		// updated hosts counted as all updated hosts less every host of
		// the earlier rings), and the step's exposure in host-hours.
		ring := p.Rings[prev.Ring]
		share := ring.MinTaken
		if share == 0 && !ring.NoHealthGate {
			share = DefaultMinTaken
		}
		earlier := 0
		for r := range prev.Ring {
			earlier += f.RingSize(r)
		}
		if need := exactNeed(share, f.Target(prev.Ring, prev.Step)); share > 0 && obs.Updated.Hosts-earlier < need {
			t.Fatalf("advanced with %d updated hosts, %d in earlier rings, min_taken %g of %d offered needs %d", obs.Updated.Hosts, earlier, share, f.Target(prev.Ring, prev.Step), need)
		}
		if ring.MinHostHours > 0 && !(obs.Updated.Hours-prev.StepHours >= ring.MinHostHours) {
			t.Fatalf("advanced after %g host-hours (%g at the step's start), min_host_hours %g", obs.Updated.Hours, prev.StepHours, ring.MinHostHours)
		}
	}
	if oracleHolds(p, prev, obs) {
		t.Fatalf("advanced while an attributed trigger's condition holds on the updated hosts: %v", d.Reasons)
	}
	if prev.Step < 0 && prev.Ring == 0 {
		if end := prev.StepStarted.Add(p.StartDelayFor(prev.Update.Urgency)); now.Before(end) {
			t.Fatalf("advanced at %s before the start delay ends at %s", now, end)
		}
	}
	if prev.Step >= 0 {
		if end := prev.StepStarted.Add(p.StepBake(prev.Ring, prev.Step, prev.Update.Urgency)); now.Before(end) {
			t.Fatalf("advanced at %s before the bake ends at %s", now, end)
		}
		if obs.At.Before(prev.StepStarted) {
			t.Fatalf("advanced on an observation (%s) older than the step (%s)", obs.At, prev.StepStarted)
		}
		u := obs.Updated
		healthy := min(u.Healthy, u.Hosts-u.Silent)
		need := exactNeed(p.Rings[prev.Ring].minHealthy(), max(u.Hosts, 1))
		ring := p.Rings[prev.Ring]
		if !ring.NoHealthGate && f.Target(prev.Ring, prev.Step) > 0 && healthy < need {
			t.Fatalf("advanced with %d healthy of %d updated (%d silent), min_healthy %g needs %d",
				healthy, u.Hosts, u.Silent, p.Rings[prev.Ring].minHealthy(), need)
		}
	}
	if d.Action == Done {
		return
	}
	nr, ns := prev.Ring, prev.Step+1
	if ns >= p.Steps(nr) {
		nr, ns = nr+1, 0
	}
	if d.State.Ring != nr || d.State.Step != ns || !d.State.StepStarted.Equal(now) {
		t.Fatalf("advanced from %d/%d to %d/%d, want %d/%d", prev.Ring, prev.Step, d.State.Ring, d.State.Step, nr, ns)
	}
	if (nr != prev.Ring || prev.Step < 0) && nr < len(p.Rings)-1 && f.RingSize(nr) == 0 {
		t.Fatalf("entered ring %q, which selects no host and is not the last: its bake would pass on no evidence", p.Rings[nr].Name)
	}
	if p.Rings[nr].Approval && (nr != prev.Ring || prev.Step < 0) &&
		!slices.ContainsFunc(obs.Approvals, func(a Approval) bool {
			return a.Ring == p.Rings[nr].Name && (a.At.IsZero() || !a.At.Before(prev.Started) && !a.At.After(now))
		}) {
		t.Fatalf("entered ring %q without its approval", p.Rings[nr].Name)
	}
	if slices.Contains(p.Rings[nr].ApproveSteps, ns+1) &&
		!slices.ContainsFunc(obs.Approvals, func(a Approval) bool {
			return a.Ring == p.Rings[nr].Name && a.Step == ns+1 && (a.At.IsZero() || !a.At.Before(prev.Started) && !a.At.After(now))
		}) {
		t.Fatalf("took step %d of ring %q without its approval", ns+1, p.Rings[nr].Name)
	}
}

// drawClock draws the time of a call: usually near the machine's clock
// (backwards too), sometimes a time no State can record.
func (m *rolloutMachine) drawClock(t *rapid.T) time.Time {
	switch rapid.IntRange(0, 19).Draw(t, "clockKind") {
	case 0:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	case 1:
		return time.Date(-1, 12, 31, 23, 0, 0, 0, time.UTC)
	}
	return m.now.Add(time.Duration(rapid.IntRange(-180, 36*60).Draw(t, "callMinutes")) * time.Minute)
}

// moveClock makes at the machine's clock when a State can record it.
func (m *rolloutMachine) moveClock(at time.Time) {
	if recordable(at) {
		m.now = at
	}
}

// drawText draws a name or a reason, sometimes not valid UTF-8.
func drawText(t *rapid.T, label string) string {
	if rapid.IntRange(0, 9).Draw(t, label+"Bad") == 0 {
		return "bad\xff" + label
	}
	return rapid.SampledFrom([]string{"looking", "incident review", "bob", "ünïcode"}).Draw(t, label)
}

// drawWildObservation is drawObservation, sometimes with counts no fleet
// can produce, counts below those acknowledged at a resume, a signal name
// that is not UTF-8 or a time in the future.
func (m *rolloutMachine) drawWildObservation(t *rapid.T, now time.Time) Observation {
	o := m.drawObservation(t)
	o.At = now.Add(o.At.Sub(m.now))
	sig := func(name string, f func(*Signal)) {
		s := o.Updated.Signals[name]
		f(&s)
		o.Updated.Signals[name] = s
	}
	switch rapid.IntRange(0, 11).Draw(t, "wild") {
	case 0:
		sig("crash", func(s *Signal) { s.Count = math.NaN() })
	case 1:
		sig("err", func(s *Signal) { s.Hours = math.Inf(1) })
	case 2:
		sig("crash", func(s *Signal) { s.Count = -1 })
	case 3:
		o.Baseline.Hosts = -3
	case 4:
		o.Updated.Signals["bad\xffsignal"] = Signal{Count: 1}
	case 5:
		o.At = now.Add(time.Minute)
	case 6, 7:
		// Above what was acknowledged: new failures, counted on top.
		if a := m.st.Acked; a != nil {
			for name, s := range a.Signals {
				o.Updated.Signals[name] = Signal{Count: s.Count + float64(rapid.IntRange(0, 3).Draw(t, "moreCount")), Hours: s.Hours + float64(rapid.IntRange(0, 500).Draw(t, "moreHours"))}
			}
			o.Updated.Silent = a.Silent + rapid.IntRange(0, 3).Draw(t, "moreSilent")
		}
	}
	return o
}

// wild reports, by a plain reading of the rules, whether obs is one that
// every call must refuse (or hold on) for st.
func wild(st State, obs Observation, now time.Time) bool {
	if obs.At.After(now) {
		return true
	}
	for _, c := range []Cohort{obs.Updated, obs.Baseline} {
		if c.Hosts < 0 || c.Healthy < 0 || c.Silent < 0 {
			return true
		}
		for name, s := range c.Signals {
			if !(s.Count >= 0) || !(s.Hours >= 0) || math.IsInf(s.Count, 0) || math.IsInf(s.Hours, 0) || strings.ContainsRune(name, '\uFFFD') || !utf8.ValidString(name) {
				return true
			}
		}
	}
	if st.Acked != nil {
		for name, a := range st.Acked.Signals {
			if s, ok := obs.Updated.Signals[name]; ok && (s.Count < a.Count || s.Hours < a.Hours) {
				return true
			}
		}
	}
	return false
}

func (m *rolloutMachine) Pause(t *rapid.T) {
	at, reason := m.drawClock(t), drawText(t, "reason")
	st, err := Pause(m.st, reason, at)
	if want := !recordable(at) || !utf8.ValidString(reason); (err != nil) != want {
		t.Fatalf("Pause at %s, reason %q: err = %v", at, reason, err)
	}
	m.after(t, "Pause", st, err)
	if err == nil && (!st.Paused || st.Last.Before(m.st.Last)) {
		t.Fatalf("Pause: paused %t, last %s (was %s)", st.Paused, st.Last, m.st.Last)
	}
	m.st = st
	m.moveClock(at)
}

func (m *rolloutMachine) Unpause(t *rapid.T) {
	at := m.drawClock(t)
	st, err := Unpause(m.st, at)
	if want := !recordable(at) || at.Before(m.st.Last); (err != nil) != want {
		t.Fatalf("Unpause at %s (last %s): err = %v", at, m.st.Last, err)
	}
	m.after(t, "Unpause", st, err)
	m.st = st
	m.moveClock(at)
}

func (m *rolloutMachine) Stop(t *rapid.T) {
	at, by, reason := m.drawClock(t), drawText(t, "by"), drawText(t, "stopReason")
	a := rapid.SampledFrom([]Action{Halt, Rollback}).Draw(t, "stopAction")
	st, err := Stop(m.st, a, by, reason, at)
	if want := !recordable(at) || !utf8.ValidString(by) || !utf8.ValidString(reason) || m.st.Phase == RolledBack; (err != nil) != want {
		t.Fatalf("Stop(%s) of a %s rollout at %s: err = %v", a, m.st.Phase, at, err)
	}
	m.after(t, "Stop", st, err)
	if err == nil && (st.Phase != Halted && st.Phase != RolledBack || a == Rollback && st.Phase != RolledBack) {
		t.Fatalf("Stop(%s): phase %s", a, st.Phase)
	}
	m.st = st
	m.moveClock(at)
}

func (m *rolloutMachine) Resume(t *rapid.T) {
	at, by := m.drawClock(t), drawText(t, "resumer")
	var obs Observation
	switch rapid.IntRange(0, 3).Draw(t, "resumeObs") {
	case 0:
		obs = m.obs
	case 1:
		obs = m.drawWildObservation(t, at)
	default: // one Decide would take: not from the future, not below the ack
		obs = m.drawObservation(t)
		if obs.At.After(at) {
			obs.At = at
		}
		if a := m.st.Acked; a != nil {
			for name, s := range a.Signals {
				if o, ok := obs.Updated.Signals[name]; ok {
					obs.Updated.Signals[name] = Signal{Count: max(o.Count, s.Count), Hours: max(o.Hours, s.Hours)}
				}
			}
		}
	}
	prev := m.st
	st, err := Resume(prev, obs, by, at)
	want := prev.Phase != Halted || !recordable(at) || at.Before(prev.Last) || !utf8.ValidString(by) || wild(prev, obs, at)
	if (err != nil) != want {
		t.Fatalf("Resume of a %s rollout at %s (last %s) on %+v: err = %v", prev.Phase, at, prev.Last, obs, err)
	}
	m.after(t, "Resume", st, err)
	m.st = st
	m.moveClock(at)
	if err != nil {
		return
	}
	if st.Phase != Running || !st.StepStarted.Equal(at) {
		t.Fatalf("Resume: phase %s, step started %s, want running from %s", st.Phase, st.StepStarted, at)
	}
	// A trigger still fires on new failures after any resume: every count
	// well above what was acknowledged.
	p := m.plan()
	if len(p.Triggers) == 0 || st.PlanDigest != p.Digest() {
		return
	}
	if len(m.hosts) == 0 && !slices.ContainsFunc(p.Triggers, func(tr Trigger) bool { return len(tr.By) == 0 }) {
		return // a trigger by stratum of a fleet with no strata never fires
	}
	a := st.Acked
	hosts := 2 * (a.Silent + 100)
	bad := Observation{At: at, Updated: Cohort{Hosts: hosts, Silent: a.Silent + hosts/2, Signals: map[string]Signal{}},
		Baseline: Cohort{Hosts: 100, Signals: map[string]Signal{"crash": {}, "err": {}}}}
	for _, name := range []string{"crash", "err"} {
		prev := a.Signals[name]
		bad.Updated.Signals[name] = Signal{Count: prev.Count + float64(10*hosts), Hours: prev.Hours}
	}
	bad.ByStratum = map[string]Stratum{}
	for _, k := range oracleStrata([]string{"os"}, m.hosts) {
		ak := st.AckedStrata[k]
		n := 2 * (ak.Silent + 100)
		s := Stratum{Updated: Cohort{Hosts: n, Silent: ak.Silent + n/2, Signals: map[string]Signal{}},
			Baseline: Cohort{Hosts: 100, Signals: map[string]Signal{"crash": {}, "err": {}}}}
		for _, name := range []string{"crash", "err"} {
			prev := ak.Signals[name]
			s.Updated.Signals[name] = Signal{Count: prev.Count + float64(10*n), Hours: prev.Hours}
		}
		bad.ByStratum[k] = s
	}
	if d := m.fleet().Decide(context.Background(), st, bad, at); d.Action != Halt && d.Action != Rollback {
		t.Fatalf("after a resume, new failures do not fire a trigger: %s %v\ntriggers %+v\nbad %+v\nacked %+v %+v", d.Action, d.Reasons, p.Triggers, bad, st.Acked, st.AckedStrata)
	}
}

// ChangePlan makes the controller and the host call use another plan under
// the running rollout.
func (m *rolloutMachine) ChangePlan(t *rapid.T) {
	m.cur = 1 - m.cur
}

func (m *rolloutMachine) Adopt(t *rapid.T) {
	at := m.drawClock(t)
	st, err := m.fleet().Adopt(m.st, at)
	if want := !recordable(at) || at.Before(m.st.Last); (err != nil) != want {
		t.Fatalf("Adopt at %s (last %s): err = %v", at, m.st.Last, err)
	}
	m.after(t, "Adopt", st, err)
	if err == nil && (st.PlanDigest != m.plan().Digest() || st.Ring != m.st.Ring || st.Step != m.st.Step || !st.StepStarted.Equal(at)) {
		t.Fatalf("Adopt moved %d/%d to %d/%d", m.st.Ring, m.st.Step, st.Ring, st.Step)
	}
	m.st = st
	m.moveClock(at)
}

// after checks what every call by hand promises: an error leaves the state
// as it was.
func (m *rolloutMachine) after(t *rapid.T, call string, st State, err error) {
	if err != nil {
		if diff := cmp.Diff(m.st, st); diff != "" {
			t.Fatalf("%s failed (%v) and changed the state (-before +after):\n%s", call, err, diff)
		}
	}
}

func (m *rolloutMachine) RoundTrip(t *rapid.T) {
	b, err := MarshalState(m.st)
	if err != nil {
		t.Fatalf("MarshalState: %v", err)
	}
	got, err := ParseState(b)
	if err != nil {
		t.Fatalf("ParseState: %v\n%s", err, b)
	}
	if diff := cmp.Diff(m.st, got); diff != "" {
		t.Fatalf("state JSON round trip (-want +got):\n%s", diff)
	}
	m.st = got
}

// Check is the invariant: after any sequence of calls the state marshals
// and reads back the same, its audit log and last call never go backwards,
// and the host call keeps its guarantees at now and at a random other
// instant, for every host.
func (m *rolloutMachine) Check(t *rapid.T) {
	b, err := MarshalState(m.st)
	if err != nil {
		t.Fatalf("state does not marshal: %v", err)
	}
	got, err := ParseState(b)
	if err != nil {
		t.Fatalf("state does not parse back: %v\n%s", err, b)
	}
	if diff := cmp.Diff(m.st, got); diff != "" {
		t.Fatalf("state JSON round trip (-want +got):\n%s", diff)
	}
	for i, e := range m.st.Log {
		if i > 0 && e.At.Before(m.st.Log[i-1].At) || e.At.After(m.st.Last) {
			t.Fatalf("audit log entry %d at %s is out of order (previous %v, last call %s)", i, e.At, m.st.Log[max(i-1, 0)].At, m.st.Last)
		}
	}
	m.checkHosts(t, m.now)
	at := m.now.Add(time.Duration(rapid.IntRange(-24*60, 7*24*60).Draw(t, "probe")) * time.Minute)
	m.checkHosts(t, at)
}

func (m *rolloutMachine) checkHosts(t *rapid.T, now time.Time) {
	f, p, st := m.fleet(), m.plan(), &m.st
	if e := f.Eligible("no-such-host", st, now); e.Verdict != Never || e.Why != WhyUnknownHost {
		t.Fatalf("unknown host: %+v", e)
	}
	active := st.Phase == Running && !st.Paused && !now.Before(st.StepStarted) && st.PlanDigest == p.Digest()
	takes := map[string]int{} // by ring, then tenant group
	for i, h := range m.hosts {
		e := f.Eligible(h.ID, st, now)
		if st.Phase == RolledBack {
			if e.Verdict != Revert {
				t.Fatalf("rolled back, host %s: %+v, want revert", h.ID, e)
			}
			continue
		}
		exposed := e.Verdict == Take || e.Verdict == Wait && (e.Why == WhyBlackout || e.Why == WhyMaintenance || e.Why == WhyDeferred)
		if active {
			if m.ever[h.ID] && !exposed && e.Why != WhyOptedOut {
				t.Fatalf("host %s was exposed and is no longer at %d/%d: %+v", h.ID, st.Ring, st.Step, e)
			}
			if exposed {
				m.ever[h.ID] = true
			}
		}
		if e.Verdict != Take {
			if !m.opts.windows && active && m.ring[i] >= 0 && m.ring[i] < st.Ring && st.Phase != Complete && e.Verdict != Take {
				t.Fatalf("host %s of finished ring %d: %+v", h.ID, m.ring[i], e)
			}
			continue
		}
		switch {
		case st.PlanDigest != p.Digest():
			t.Fatalf("host %s takes under a changed plan", h.ID)
		case st.Phase == Halted:
			t.Fatalf("host %s takes while halted", h.ID)
		case st.Paused:
			t.Fatalf("host %s takes while paused", h.ID)
		case now.Before(st.StepStarted):
			t.Fatalf("host %s takes at %s, before its step started at %s", h.ID, now, st.StepStarted)
		case m.ring[i] < 0:
			t.Fatalf("host %s takes without a ring", h.ID)
		case st.Phase != Complete && m.ring[i] > st.Ring:
			t.Fatalf("host %s of ring %d takes while the rollout is in ring %d", h.ID, m.ring[i], st.Ring)
		}
		for _, b := range p.Blackouts {
			if b.Applies(st.Update.Urgency) && !now.Before(b.From) && now.Before(b.To) {
				t.Fatalf("host %s takes at %s inside blackout %q", h.ID, now, b.Name)
			}
		}
		if k := slices.IndexFunc(p.Tenants, func(tn Tenant) bool { return tn.Select.Matches(h.Labels) }); k >= 0 {
			tn := &p.Tenants[k]
			if slices.Contains(tn.OptOut, st.Update.Kind) {
				t.Fatalf("host %s takes an update kind its tenant opted out of", h.ID)
			}
			// The reference: the deferral of the update's kind, else the
			// tenant's.
			deferral := tn.Defer
			for _, k := range tn.DeferKinds {
				if k.Kind == st.Update.Kind {
					deferral = k.Defer
					break
				}
			}
			if deferral > 0 && (st.GA.IsZero() || now.Before(st.GA.Add(deferral))) {
				t.Fatalf("host %s takes at %s before its deferral ends (GA %s + %s)", h.ID, now, st.GA, deferral)
			}
			if len(tn.Maintenance) > 0 && !slices.ContainsFunc(tn.Maintenance, func(w Window) bool { return w.Contains(now) }) {
				t.Fatalf("host %s takes at %s outside its maintenance windows", h.ID, now)
			}
		}
		if m.ring[i] == st.Ring {
			takes[""]++
			takes[h.Labels[TenantLabel]+"/"]++
		}
	}
	if st.Phase != Running && st.Phase != Complete || st.Phase == Complete {
		return
	}
	// Exposure of the current ring.
	r := st.Ring
	size, groups := 0, map[string]int{}
	for i, h := range m.hosts {
		if m.ring[i] == r {
			size++
			groups[h.Labels[TenantLabel]]++
		}
	}
	if st.Step < 0 {
		if takes[""] > 0 {
			t.Fatalf("%d hosts take before the first step", takes[""])
		}
		return
	}
	ring := &p.Rings[r]
	if st.Step < ring.baseSteps() {
		// The reference: a canary of C hosts exposes min(C, size); a step
		// of p% floor(p·size/100), and never fewer than the canary.
		canary := min(ring.CanaryHosts, size)
		var limit int
		if ring.CanaryHosts > 0 && st.Step == 0 {
			limit = canary
		} else {
			limit = max(floorShare(ring.Steps[st.Step-min(ring.CanaryHosts, 1)], size), canary)
		}
		if takes[""] > limit || limit > size {
			t.Fatalf("ring %d step %d of %d hosts: %d hosts take, limit %d", r, st.Step, size, takes[""], limit)
		}
		if ring.TenantCap == 0 && f.Target(r, st.Step) != limit {
			t.Fatalf("ring %d step %d: Target %d, want %d", r, st.Step, f.Target(r, st.Step), limit)
		}
		if ring.TenantCap > 0 {
			for g, n := range groups {
				if c := floorShare(ring.TenantCap, n); takes[g+"/"] > c {
					t.Fatalf("tenant %q: %d of its %d hosts take under a %g%% cap (limit %d)", g, takes[g+"/"], n, ring.TenantCap, c)
				}
			}
		}
	}
	if !m.opts.windows && active && takes[""] != f.Target(r, st.Step) {
		t.Fatalf("ring %d step %d: %d hosts take, Target says %d", r, st.Step, takes[""], f.Target(r, st.Step))
	}
}

func runRolloutMachine(t *testing.T, o genOpts) {
	rapid.Check(t, func(t *rapid.T) {
		m := newRolloutMachine(t, o)
		t.Repeat(map[string]func(*rapid.T){
			"decide":     m.Decide,
			"decide2":    m.Decide, // twice as likely as the rest
			"pause":      m.Pause,
			"unpause":    m.Unpause,
			"resume":     m.Resume,
			"resume2":    m.Resume, // a halted rollout is rare: resume often
			"stop":       m.Stop,
			"changePlan": m.ChangePlan,
			"adopt":      m.Adopt,
			"roundTrip":  m.RoundTrip,
			"":           m.Check,
		})
	})
}

// TestPropertyRollout checks the engine's guarantees with no windows in the
// plan: exposure equals the step's exact share, never more than a tenant's
// cap, monotone, and the controller never advances past a rule.
func TestPropertyRollout(t *testing.T) { runRolloutMachine(t, genOpts{promote: true}) }

// TestPropertyRolloutWindows adds tenants (deferrals, maintenance windows in
// three zones, opt-outs) and blackouts.
func TestPropertyRolloutWindows(t *testing.T) {
	runRolloutMachine(t, genOpts{windows: true, promote: true})
}

// TestRankIndependence: two rollouts over 10,000 hosts at 10% pick nearly
// independent hosts. With independent ranks the overlap of two 1,000-host
// samples is hypergeometric with mean 100 and standard deviation about 9;
// the test allows 5 standard deviations.
func TestRankIndependence(t *testing.T) {
	plan, err := Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{10, 100}, Bake: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []Host
	for i := range 10000 {
		hosts = append(hosts, Host{ID: fmt.Sprintf("host-%05d", i)})
	}
	exposed := func(id string) map[string]bool {
		f, err := NewFleet(plan, id, hosts)
		if err != nil {
			t.Fatal(err)
		}
		d := f.Decide(context.Background(), must(f.Start(Update{ID: "u", Kind: "k"}, t0)), Observation{}, t0)
		out := map[string]bool{}
		for _, h := range hosts {
			if f.Eligible(h.ID, &d.State, t0).Verdict == Take {
				out[h.ID] = true
			}
		}
		if len(out) != 1000 {
			t.Fatalf("rollout %s exposes %d hosts at 10%%, want 1000", id, len(out))
		}
		return out
	}
	ids := []string{"r-1", "r-2", "r-3", "content-2026-11-24", "content-2026-11-25"}
	sets := make([]map[string]bool, len(ids))
	for i, id := range ids {
		sets[i] = exposed(id)
	}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			n := 0
			for h := range sets[i] {
				if sets[j][h] {
					n++
				}
			}
			t.Logf("overlap %s / %s: %d of 10000 hosts (%.2f%%)", ids[i], ids[j], n, float64(n)/100)
			if n < 100-45 || n > 100+45 {
				t.Errorf("overlap of %s and %s is %d hosts, want 100 ± 45", ids[i], ids[j], n)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
