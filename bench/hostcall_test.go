package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/launchdarkly/go-sdk-common/v3/ldcontext"
	"github.com/launchdarkly/go-sdk-common/v3/ldvalue"
	ldeval "github.com/launchdarkly/go-server-sdk-evaluation/v3"
	"github.com/launchdarkly/go-server-sdk-evaluation/v3/ldbuilders"
	"github.com/launchdarkly/go-server-sdk-evaluation/v3/ldmodel"

	"github.com/ringwise/ringwise/rollout"
)

const (
	hosts     = 100_000
	rolloutID = "content-2026-11-24"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func hostIDs() []string {
	ids := make([]string, hosts)
	for i := range ids {
		ids[i] = fmt.Sprintf("host-%06d", i)
	}
	return ids
}

// noData is the evaluator's data provider: the flag has no prerequisites
// and no segments.
type noData struct{}

func (noData) GetFeatureFlag(string) *ldmodel.FeatureFlag { return nil }
func (noData) GetSegment(string) *ldmodel.Segment         { return nil }

// ldFlag is a flag that is on, with a 50/50 percentage rollout (weights
// in 1/100000) between "no" and "yes", salted with the rollout ID.
func ldFlag() *ldmodel.FeatureFlag {
	f := ldbuilders.NewFlagBuilder("update-c-291").On(true).Salt(rolloutID).
		Variations(ldvalue.Bool(false), ldvalue.Bool(true)).
		Fallthrough(ldbuilders.Rollout(ldbuilders.Bucket(1, 50000), ldbuilders.Bucket(0, 50000))).
		Build()
	ldmodel.PreprocessFlag(&f)
	return &f
}

// BenchmarkLaunchDarklyRollout: the check through LaunchDarkly's
// evaluator, the context built from the host ID on each call, as a server
// does per check-in.
func BenchmarkLaunchDarklyRollout(b *testing.B) {
	ev, flag, ids := ldeval.NewEvaluator(noData{}), ldFlag(), hostIDs()
	b.ReportAllocs()
	i, yes := 0, 0
	cpu := startCPU()
	for b.Loop() {
		if ev.Evaluate(flag, ldcontext.New(ids[i]), nil).Detail.Value.BoolValue() {
			yes++
		}
		if i++; i == len(ids) {
			i = 0
		}
	}
	cpu.report(b)
	checkShare(b, yes)
}

// BenchmarkLaunchDarklyRolloutContexts: the same with the contexts built
// beforehand, the counterpart of EligibleAt.
func BenchmarkLaunchDarklyRolloutContexts(b *testing.B) {
	ev, flag, ids := ldeval.NewEvaluator(noData{}), ldFlag(), hostIDs()
	ctxs := make([]ldcontext.Context, len(ids))
	for i, id := range ids {
		ctxs[i] = ldcontext.New(id)
	}
	b.ReportAllocs()
	i, yes := 0, 0
	cpu := startCPU()
	for b.Loop() {
		if ev.Evaluate(flag, ctxs[i], nil).Detail.Value.BoolValue() {
			yes++
		}
		if i++; i == len(ids) {
			i = 0
		}
	}
	cpu.report(b)
	checkShare(b, yes)
}

// ringwiseFleet is one ring of the 100,000 hosts at its first step, 50%.
func ringwiseFleet(b *testing.B) (*rollout.Fleet, rollout.State, []string) {
	plan, err := rollout.Compile(rollout.Plan{Name: "content", Rings: []rollout.Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour}}})
	if err != nil {
		b.Fatal(err)
	}
	ids := hostIDs()
	inv := make([]rollout.Host, len(ids))
	for i, id := range ids {
		inv[i] = rollout.Host{ID: id}
	}
	f, err := rollout.NewFleet(plan, rolloutID, inv)
	if err != nil {
		b.Fatal(err)
	}
	st, err := f.Start(rollout.Update{ID: "c-291", Kind: "content"}, t0)
	if err != nil {
		b.Fatal(err)
	}
	st.Step = 0 // the first step: 50% of the ring
	return f, st, ids
}

// BenchmarkRingwiseEligible: the same check through Fleet.Eligible, by
// host ID.
func BenchmarkRingwiseEligible(b *testing.B) {
	f, st, ids := ringwiseFleet(b)
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	i, yes := 0, 0
	cpu := startCPU()
	for b.Loop() {
		if f.Eligible(ids[i], &st, now).Verdict == rollout.Take {
			yes++
		}
		if i++; i == len(ids) {
			i = 0
		}
	}
	cpu.report(b)
	checkShare(b, yes)
}

// BenchmarkRingwiseEligibleAt: by inventory position.
func BenchmarkRingwiseEligibleAt(b *testing.B) {
	f, st, _ := ringwiseFleet(b)
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	i, yes := 0, 0
	cpu := startCPU()
	for b.Loop() {
		if f.EligibleAt(i, &st, now).Verdict == rollout.Take {
			yes++
		}
		if i++; i == f.Len() {
			i = 0
		}
	}
	cpu.report(b)
	checkShare(b, yes)
}

// cpuClock measures a benchmark's CPU time per operation ("cpu-ns/op").
type cpuClock struct {
	t0 int64
	ok bool
}

func startCPU() cpuClock { t, ok := cpuTime(); return cpuClock{t, ok} }

func (c cpuClock) report(b *testing.B) {
	if t, ok := cpuTime(); c.ok && ok && b.N >= 1000 { // fewer: below the clock's resolution
		b.ReportMetric(float64(t-c.t0)/float64(b.N), "cpu-ns/op")
	}
}

// checkShare fails a benchmark whose check did not take about half of
// the hosts it saw (the comparison would be of different work).
func checkShare(b *testing.B, yes int) {
	b.Helper()
	if n := b.N; n >= 1000 && (yes < n*45/100 || yes > n*55/100) {
		b.Fatalf("%d of %d checks said yes, want about half", yes, n)
	}
}

// TestSameShare: both libraries take half of the hosts, within 1%; they
// pick different halves (different hashes), so only the share compares.
func TestSameShare(t *testing.T) {
	ev, flag, ids := ldeval.NewEvaluator(noData{}), ldFlag(), hostIDs()
	f, st, _ := ringwiseFleet(&testing.B{})
	ld, rw := 0, 0
	for _, id := range ids {
		if ev.Evaluate(flag, ldcontext.New(id), nil).Detail.Value.BoolValue() {
			ld++
		}
		if f.Eligible(id, &st, t0).Verdict == rollout.Take {
			rw++
		}
	}
	if ld < 49_000 || ld > 51_000 || rw != 50_000 {
		t.Errorf("LaunchDarkly takes %d hosts, ringwise %d; want about 50,000 and exactly 50,000", ld, rw)
	}
}
