package rollout

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// benchFleet is a realistic fleet of n hosts: 1% internal canaries, 9%
// early adopters, the rest broad; 500 tenants, three OS builds. The plan
// has a covered canary ring, an early ring, a tenant-capped broad ring,
// three triggers, two blackouts and a policy for every tenant: a third
// with weekend maintenance windows in London, a third with nightly windows
// in New York and a 48h deferral, a third with no constraint.
func benchFleet(b *testing.B, n int, gates bool) (*Fleet, []string) {
	b.Helper()
	p := Plan{
		Name: "content",
		Rings: []Ring{
			{Name: "canary", Select: Selector{{Key: "channel", Values: []string{"internal"}}}, Steps: []float64{100}, Bake: 30 * time.Minute, Cover: []string{"os"}},
			{Name: "early", Select: Selector{{Key: "channel", Values: []string{"early"}}}, Steps: []float64{10, 100}, Bake: time.Hour},
			{Name: "broad", Steps: []float64{1, 10, 50, 100}, Bake: 2 * time.Hour, TenantCap: 50},
		},
		Triggers: []Trigger{
			{Name: "crash-rate", Kind: Absolute, Signal: "crash", Threshold: 0.01, Action: Rollback},
			{Name: "went-quiet", Kind: Silence, Threshold: 0.02, Action: Halt},
			{Name: "seq", Kind: Sequential, Signal: "crash", Rate: 0.001, Ratio: 2, Alpha: 0.01, Action: Rollback},
		},
		Blackouts: []Blackout{
			{Name: "year-end", From: mustTime("2026-12-20T00:00:00Z"), To: mustTime("2027-01-04T00:00:00Z")},
			{Name: "launch", From: mustTime("2026-11-10T00:00:00Z"), To: mustTime("2026-11-12T00:00:00Z")},
		},
	}
	for k := range 500 {
		tn := Tenant{Name: fmt.Sprintf("t%03d", k), Select: Selector{{Key: TenantLabel, Values: []string{fmt.Sprintf("t%03d", k)}}}}
		switch k % 3 {
		case 0:
			tn.Maintenance = []Window{{Days: []time.Weekday{time.Saturday, time.Sunday}, Start: time.Hour, Length: 4 * time.Hour, Zone: london}}
		case 1:
			tn.Maintenance = []Window{{Start: 22 * time.Hour, Length: 6 * time.Hour, Zone: newYork}}
			tn.Defer = 48 * time.Hour
		}
		p.Tenants = append(p.Tenants, tn)
	}
	if gates {
		p.Gates = []GateBinding{{Name: "noop", Gate: noopGate{}}}
	}
	plan, err := Compile(p)
	if err != nil {
		b.Fatal(err)
	}
	hosts := make([]Host, n)
	ids := make([]string, n)
	oses := []string{"w10", "w11", "srv"}
	for i := range hosts {
		ch := "stable"
		switch {
		case i%100 == 0:
			ch = "internal"
		case i%10 == 1:
			ch = "early"
		}
		ids[i] = fmt.Sprintf("host-%06d", i)
		hosts[i] = Host{ID: ids[i], Labels: map[string]string{"channel": ch, "os": oses[i%3], TenantLabel: fmt.Sprintf("t%03d", i%500)}}
	}
	f, err := NewFleet(plan, "content-2026-11-24", hosts)
	if err != nil {
		b.Fatal(err)
	}
	return f, ids
}

// cpuClock measures a benchmark's CPU time per operation ("cpu-ns/op"),
// which a loaded machine inflates less than elapsed time.
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

type noopGate struct{}

func (noopGate) Evaluate(context.Context, GateInput) (GateVerdict, error) { return GateVerdict{}, nil }

// BenchmarkEligible is the host call on a 100,000-host fleet, the rollout
// in the broad ring's capped 50% step with GA passed, asked at Saturday
// 02:00 London (inside one tenant window, outside another) and at varying
// hosts.
func BenchmarkEligible(b *testing.B) {
	f, ids := benchFleet(b, 100_000, false)
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	st.Ring, st.RingName, st.Step, st.GA = 2, "broad", 2, t0
	now := mustTime("2026-11-28T02:00:00Z")
	counts := map[Verdict]int{}
	for _, id := range ids[:1000] {
		counts[f.Eligible(id, &st, now).Verdict]++
	}
	b.Logf("verdicts of the first 1000 hosts: %v", counts)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	cpu := startCPU()
	for b.Loop() {
		f.Eligible(ids[i], &st, now)
		i++
		if i == len(ids) {
			i = 0
		}
	}
	cpu.report(b)
}

// BenchmarkEligibleAt is the host call by inventory position, for servers
// that keep their own host index (and for the simulator): no ID lookup.
func BenchmarkEligibleAt(b *testing.B) {
	f, _ := benchFleet(b, 100_000, false)
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	st.Ring, st.RingName, st.Step, st.GA = 2, "broad", 2, t0
	now := mustTime("2026-11-28T02:00:00Z")
	b.ReportAllocs()
	i := 0
	cpu := startCPU()
	for b.Loop() {
		f.EligibleAt(i, &st, now)
		i++
		if i == f.Len() {
			i = 0
		}
	}
	cpu.report(b)
}

// BenchmarkHashFloor is the lower bound of the host call: the stable hash
// of (rollout ID, host ID) that ranks a host, reduced mod 10000 and
// compared with the step's share (50.00%), for the same 100,000 host IDs
// as BenchmarkEligible. Eligible and EligibleAt are measured against it
// (BENCHMARKS.md).
func BenchmarkHashFloor(b *testing.B) {
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("host-%06d", i)
	}
	const rolloutID, share = "content-2026-11-24", 5000
	b.ReportAllocs()
	i, taken := 0, 0
	cpu := startCPU()
	for b.Loop() {
		if rank(rolloutID, ids[i])%10000 < share {
			taken++
		}
		i++
		if i == len(ids) {
			i = 0
		}
	}
	cpu.report(b)
	if taken == 0 && b.N > 10 {
		b.Fatal("no host taken at 50%")
	}
}

// BenchmarkDecide is the controller call on the same fleet, with no gates:
// a healthy observation after the step's bake, advancing the broad ring
// from 10% to 50%.
func BenchmarkDecide(b *testing.B) {
	f, _ := benchFleet(b, 100_000, false)
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	st.Ring, st.RingName, st.Step, st.GA = 2, "broad", 1, t0
	now := t0.Add(3 * time.Hour)
	// Every host offered the update took it, counted by ring (min_taken).
	byRing := []int{f.RingSize(0), f.RingSize(1), f.Target(2, 1)}
	taken := byRing[0] + byRing[1] + byRing[2]
	obs := Observation{At: now, Updated: Cohort{Hosts: taken, Healthy: taken, ByRing: byRing, Signals: map[string]Signal{"crash": {Count: 3, Hours: 20000}}}}
	ctx := context.Background()
	if d := f.Decide(ctx, st, obs, now); d.Action != Advance {
		b.Fatalf("got %s %v", d.Action, d.Reasons)
	}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		f.Decide(ctx, st, obs, now)
	}
	cpu.report(b)
}

// BenchmarkDecideUnchanged is the controller call when nothing changes:
// the broad ring's 50% step is baking, a controller polls with a healthy
// observation, and the answer (hold, "step 3 baking until ...") repeats
// the audit log's last entry, so the log does not grow.
func BenchmarkDecideUnchanged(b *testing.B) {
	f, _ := benchFleet(b, 100_000, false)
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	st.Ring, st.RingName, st.Step, st.GA = 2, "broad", 1, t0
	ctx := context.Background()
	at := t0.Add(3 * time.Hour)
	obs := Observation{At: at, Updated: Cohort{Hosts: 12000, Healthy: 12000, Signals: map[string]Signal{"crash": {Count: 3, Hours: 20000}}}}
	st = f.Decide(ctx, st, obs, at).State // advance to 50%
	now := at.Add(10 * time.Minute)
	obs.At = now
	first := f.Decide(ctx, st, obs, now)
	st = first.State
	d := f.Decide(ctx, st, obs, now)
	if d.Action != Hold || len(d.State.Log) != len(st.Log) || !slices.Equal(d.Reasons, first.Reasons) {
		b.Fatalf("got %s %v, log %d entries (was %d)", d.Action, d.Reasons, len(d.State.Log), len(st.Log))
	}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		f.Decide(ctx, st, obs, now)
	}
	cpu.report(b)
}

// BenchmarkNewFleet indexes the 100,000-host fleet.
func BenchmarkNewFleet(b *testing.B) {
	f, _ := benchFleet(b, 1, false)
	hosts := make([]Host, 100_000)
	for i := range hosts {
		hosts[i] = Host{ID: fmt.Sprintf("host-%06d", i), Labels: map[string]string{"channel": "stable", TenantLabel: fmt.Sprintf("t%03d", i%500)}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewFleet(f.Plan(), "r1", hosts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWindowOpen is one maintenance window's next opening, asked on a
// Tuesday for a weekend window (the longest search).
func BenchmarkWindowOpen(b *testing.B) {
	w := Window{Days: []time.Weekday{time.Saturday, time.Sunday}, Start: time.Hour, Length: 4 * time.Hour, Zone: london}
	at := mustTime("2026-11-24T09:00:00Z")
	b.ReportAllocs()
	for b.Loop() {
		w.Open(at)
	}
}
