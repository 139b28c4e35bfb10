package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ringwise/ringwise/rollout"
)

var release = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func minutes(t *rapid.T, label string, lo, hi int) time.Duration {
	return time.Duration(rapid.IntRange(lo, hi).Draw(t, label)) * time.Minute
}

// genScenario draws a small scenario: a few cohorts, faults of every
// mode, lossy telemetry, people.
func genScenario(t *rapid.T) *Scenario {
	sc := &Scenario{
		Name:       "gen",
		Horizon:    minutes(t, "horizon", 30, 8*60),
		Resolution: time.Minute,
		Update:     Update{ID: "u-" + rapid.StringMatching(`[a-z]{1,4}`).Draw(t, "id"), Kind: "content", Release: release},
	}
	sc.Sample = max(time.Minute, minutes(t, "sample", 1, 30))
	for c := range rapid.IntRange(1, 3).Draw(t, "cohorts") {
		co := Cohort{
			Name:  fmt.Sprintf("c%d", c),
			Hosts: rapid.IntRange(1, 40).Draw(t, "hosts"),
			Labels: map[string]string{
				"os_build": rapid.SampledFrom([]string{"a", "b"}).Draw(t, "build"),
				"channel":  rapid.SampledFrom([]string{"internal", "stable"}).Draw(t, "channel"),
			},
			Online:  rapid.SampledFrom([]float64{1, 0.9, 0.5}).Draw(t, "online"),
			Session: minutes(t, "session", 10, 8*60),
			CheckIn: minutes(t, "checkin", 1, 30),
		}
		co.Jitter = time.Duration(rapid.Int64Range(0, int64(co.CheckIn)-1).Draw(t, "jitter"))
		if rapid.Bool().Draw(t, "tenants") {
			co.TenantCount = rapid.IntRange(1, 4).Draw(t, "tenantCount")
			co.TenantSkew = rapid.SampledFrom([]float64{0, 1}).Draw(t, "skew")
		}
		sc.Cohorts = append(sc.Cohorts, co)
	}
	for k := range rapid.IntRange(0, 2).Draw(t, "faults") {
		f := Fault{
			Name:        fmt.Sprintf("f%d", k),
			Probability: rapid.SampledFrom([]float64{1, 0.5, 0.1}).Draw(t, "p"),
			Latency:     rapid.SampledFrom([]Dist{{}, {Mean: 3 * time.Minute}, {Kind: Exponential, Mean: 5 * time.Minute}, {Kind: Uniform, Min: time.Minute, Max: 20 * time.Minute}}).Draw(t, "latency"),
			Mode:        FaultMode(rapid.IntRange(1, 4).Draw(t, "mode")),
		}
		if rapid.Bool().Draw(t, "select") {
			f.Select = rollout.Selector{{Key: "os_build", Values: []string{"a"}}}
		}
		switch f.Mode {
		case Crash:
			f.Signal = "crash"
			f.RecoverAfter = rapid.SampledFrom([]Dist{{}, {Mean: 20 * time.Minute}}).Draw(t, "recover")
			f.Restart = rapid.SampledFrom([]Dist{{}, {Mean: 2 * time.Minute}}).Draw(t, "restart")
		case Degraded:
			f.Signal, f.Factor = "crash", 4
		case BootLoop:
			if rapid.Bool().Draw(t, "reboot") {
				f.RebootEvery, f.RecoverPerReboot = 5*time.Minute, 0.3
			}
		}
		sc.Faults = append(sc.Faults, f)
	}
	sc.Telemetry = Telemetry{
		Interval:    minutes(t, "interval", 1, 10),
		Delay:       minutes(t, "delay", 0, 3),
		Loss:        rapid.SampledFrom([]float64{0, 0.1, 0.5}).Draw(t, "loss"),
		SilentAfter: minutes(t, "silentAfter", 1, 30),
		Rates:       map[string]float64{"crash": rapid.SampledFrom([]float64{0, 0.001, 0.05}).Draw(t, "rate")},
	}
	if rapid.Bool().Draw(t, "people") {
		sc.People = People{Notice: minutes(t, "notice", 1, 60), Action: rapid.SampledFrom([]rollout.Action{rollout.Halt, rollout.Rollback}).Draw(t, "action")}
		if rapid.Bool().Draw(t, "repair") {
			sc.People.Repair = []RepairStage{{From: minutes(t, "repairFrom", 0, 120), PerHour: float64(rapid.IntRange(1, 30).Draw(t, "perHour"))}}
		}
	}
	return sc
}

// genPlan draws a plan with rings, triggers and the windows that make
// hosts wait: a blackout, a deferral, a maintenance window.
func genPlan(t *rapid.T) *rollout.Plan {
	p := rollout.Plan{Name: "gen"}
	nr := rapid.IntRange(1, 3).Draw(t, "rings")
	for r := range nr {
		ring := rollout.Ring{Name: fmt.Sprintf("r%d", r), Bake: minutes(t, "bake", 1, 60)}
		if r == 0 && nr > 1 {
			ring.Select = rollout.Selector{{Key: "channel", Values: []string{"internal"}}}
		}
		steps := rapid.SampledFrom([][]float64{{100}, {50, 100}, {10, 50, 100}, {1, 100}}).Draw(t, "steps")
		ring.Steps = steps
		if rapid.Bool().Draw(t, "cover") {
			ring.Cover = []string{"os_build"}
		}
		if rapid.Bool().Draw(t, "cap") {
			ring.TenantCap = 50
		}
		ring.MinHealthy = rapid.SampledFrom([]float64{0, 0.5}).Draw(t, "minHealthy")
		p.Rings = append(p.Rings, ring)
	}
	trig := []rollout.Trigger{
		{Name: "quiet", Kind: rollout.Silence, Threshold: 0.2, MinCount: 2, Action: rollout.Rollback},
		{Name: "vs-base", Kind: rollout.Baseline, Signal: "crash", Threshold: 3, MinCount: 2, Action: rollout.Rollback},
		{Name: "abs", Kind: rollout.Absolute, Signal: "crash", Threshold: 0.3, Action: rollout.Halt},
		{Name: "sprt", Kind: rollout.Sequential, Signal: "crash", Rate: 0.01, Ratio: 3, Alpha: 0.01, Action: rollout.Halt},
	}
	for _, tr := range trig {
		if rapid.Bool().Draw(t, "trigger "+tr.Name) {
			p.Triggers = append(p.Triggers, tr)
		}
	}
	if rapid.Bool().Draw(t, "blackout") {
		from := release.Add(minutes(t, "blackoutFrom", 0, 120))
		p.Blackouts = []rollout.Blackout{{Name: "freeze", From: from, To: from.Add(minutes(t, "blackoutLen", 1, 120))}}
	}
	if rapid.Bool().Draw(t, "tenant") {
		tn := rollout.Tenant{Name: "t1", Select: rollout.Selector{{Key: "tenant", Values: []string{"t1"}}}}
		if rapid.Bool().Draw(t, "defer") {
			tn.Defer = minutes(t, "deferLen", 1, 60)
		} else {
			tn.Maintenance = []rollout.Window{{Start: minutes(t, "mwStart", 0, 23*60), Length: minutes(t, "mwLen", 30, 180), Zone: time.UTC}}
		}
		p.Tenants = []rollout.Tenant{tn}
	}
	plan, err := rollout.Compile(p)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return plan
}

func marshal(t interface{ Fatal(...any) }, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProperties checks, on random small scenarios and plans: the same
// seed gives byte-identical JSON; every host is in exactly one state at
// every timeline point; every exposure and every revert is what the engine
// (asked again through an independently built fleet) allows at that time;
// no host is exposed after the push stopped; boot-looped hosts never
// revert.
func TestProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := genScenario(t)
		plan := genPlan(t)
		seed := rapid.Uint64().Draw(t, "seed")
		s, err := New(sc, plan)
		if err != nil {
			t.Fatal(err)
		}
		// An independent index: materialised hosts, looked up by ID.
		hosts := make([]rollout.Host, s.inv.Len())
		for i := range hosts {
			hosts[i] = rollout.Host{ID: s.inv.ID(i), Labels: s.inv.Labels(i)}
		}
		ref, err := rollout.NewFleet(plan, rolloutID(sc), hosts)
		if err != nil {
			t.Fatal(err)
		}
		var events []traceEvent
		s.trace = func(ev traceEvent) { events = append(events, ev) }
		res, err := s.Run(context.Background(), seed)
		if err != nil {
			t.Fatal(err)
		}
		s.trace = nil
		again, err := s.Run(context.Background(), seed)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := marshal(t, res), marshal(t, again); !bytes.Equal(a, b) {
			t.Fatalf("same seed, different JSON:\n%s\n%s", a, b)
		}
		for _, p := range res.Timeline {
			if p.Sum() != res.Hosts {
				t.Fatalf("at %s the states sum to %d, not %d hosts: %+v", Clock(p.T), p.Sum(), res.Hosts, p)
			}
		}
		var stop time.Time
		if res.HaltedAfter != nil {
			stop = release.Add(time.Duration(*res.HaltedAfter) * time.Second)
		}
		takes := 0
		for _, ev := range events {
			id := hosts[ev.host].ID
			switch ev.kind {
			case "take":
				takes++
				if e := ref.Eligible(id, ev.state, ev.at); e.Verdict != rollout.Take {
					t.Fatalf("host %s exposed at %s although the engine says %s (%s)", id, ev.at.Format(time.RFC3339), e.Verdict, e.Why)
				}
				if ev.prev != stWaiting {
					t.Fatalf("host %s took the update twice", id)
				}
				if !stop.IsZero() && !ev.at.Before(stop) {
					t.Fatalf("host %s exposed at %s, after the push stopped at %s", id, ev.at.Format(time.RFC3339), stop.Format(time.RFC3339))
				}
			case "revert":
				if e := ref.Eligible(id, ev.state, ev.at); e.Verdict != rollout.Revert {
					t.Fatalf("host %s reverted at %s although the engine says %s", id, ev.at.Format(time.RFC3339), e.Verdict)
				}
				if ev.prev == stBootLoop {
					t.Fatalf("boot-looped host %s applied a rollback", id)
				}
			}
		}
		if takes != res.Exposed {
			t.Fatalf("%d takes traced, %d exposed", takes, res.Exposed)
		}
	})
}

// TestGOMAXPROCS checks that a Monte Carlo gives the same report on one
// core and on two, with one worker or several.
func TestGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	// Each case runs 16 Monte Carlo runs: fewer cases than the other
	// properties.
	if f := flag.Lookup("rapid.checks"); f != nil {
		old := f.Value.String()
		flag.Set("rapid.checks", "100")
		defer flag.Set("rapid.checks", old)
	}
	rapid.Check(t, func(t *rapid.T) {
		sc := genScenario(t)
		plan := genPlan(t)
		seed := rapid.Uint64().Draw(t, "seed")
		s, err := New(sc, plan)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]byte
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			for _, workers := range []int{1, 0} {
				rep, err := s.MonteCarlo(context.Background(), seed, 4, workers)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, marshal(t, rep))
			}
		}
		for _, o := range out[1:] {
			if !bytes.Equal(out[0], o) {
				t.Fatalf("reports differ:\n%s\n%s", out[0], o)
			}
		}
	})
}
