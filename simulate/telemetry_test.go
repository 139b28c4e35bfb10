package simulate

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ringwise/ringwise/rollout"
)

func TestSeries(t *testing.T) {
	s := newSeries(6)
	s.change(1, 2)
	s.change(3, -1)
	s.change(3, 4)
	s.change(5, -5)
	var got []int32
	for k := range 6 {
		s.close(k)
		got = append(got, s.at(k))
	}
	if diff := cmp.Diff([]int32{0, 2, 2, 5, 5, 0}, got); diff != "" {
		t.Errorf("running totals (-want +got):\n%s", diff)
	}
}

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// TestTelemetryDelay: what a host sends at tick k reaches the controller
// at k plus the delay (rounded up to a tick), and not before.
func TestTelemetryDelay(t *testing.T) {
	cfg := &telemetryConfig{
		res: time.Minute, delay: 90 * time.Second, // two ticks
		signals: []string{"crash"}, rates: []float64{0}, degradedExtra: [][]float64{nil},
		strata: []string{"os=a", "os=b"},
	}
	tel := newTelemetry(cfg, 10, 1)
	tel.baseWaiting = 4
	tel.report(1, -1)
	tel.report(2, 1)
	tel.faultEvent(0, 2)
	tel.silentFault.change(3, 1)
	tel.silentChurn.change(3, 2)
	tel.silentChurn.change(4, -2)
	tel.baseSilent.change(2, 1)
	var got []rollout.Observation
	var detected []bool
	for k := range 7 {
		tel.integrate(k, 10, 100)
		now := t0.Add(time.Duration(k) * time.Minute)
		got = append(got, tel.observe(k, now, 12, 100))
		detected = append(detected, tel.detected(k))
	}
	hours := func(k int) float64 { return float64(k) * 10 / 60 }
	base := func(k int) float64 { return float64(k) * 100 / 60 }
	obs := func(k, healthy, silent, baseSilent int, crashes float64, strata map[string]int) rollout.Observation {
		return rollout.Observation{
			At: t0.Add(time.Duration(k)*time.Minute - 90*time.Second),
			Updated: rollout.Cohort{Hosts: 12, Healthy: healthy, Silent: silent, Strata: strata, Hours: hours(k - 2),
				Signals: map[string]rollout.Signal{"crash": {Count: crashes, Hours: hours(k - 2)}}},
			Baseline: rollout.Cohort{Hosts: 100, Healthy: 100, Silent: baseSilent,
				Signals: map[string]rollout.Signal{"crash": {Hours: base(k - 2)}}},
		}
	}
	empty := func(k int) rollout.Observation {
		return rollout.Observation{
			At:       t0.Add(time.Duration(k)*time.Minute - 90*time.Second),
			Updated:  rollout.Cohort{Hosts: 12, Signals: map[string]rollout.Signal{"crash": {}}},
			Baseline: rollout.Cohort{Hosts: 100, Healthy: 100, Signals: map[string]rollout.Signal{"crash": {}}},
		}
	}
	want := []rollout.Observation{
		empty(0),
		empty(1),
		obs(2, 0, 0, 0, 0, map[string]int{}),
		obs(3, 1, 0, 0, 0, map[string]int{}),
		obs(4, 2, 0, 25, 1, map[string]int{"os=b": 1}), // 1 of 4 sampled baseline hosts silent: 25 of 100
		obs(5, 2, 3, 25, 1, map[string]int{"os=b": 1}),
		obs(6, 2, 1, 25, 1, map[string]int{"os=b": 1}),
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{false, false, false, false, true, true, true}, detected); diff != "" {
		t.Errorf("detected (-want +got):\n%s", diff)
	}
}

// TestTelemetryBackground: background events arrive at the rate of the
// hosts up, raised by degraded hosts by their fault's factor, less the
// reports lost; the baseline's at the baseline's rate.
func TestTelemetryBackground(t *testing.T) {
	cfg := &telemetryConfig{
		res: time.Hour, loss: 0.5,
		signals: []string{"cpu", "quiet"}, rates: []float64{2, 0},
		degradedExtra: [][]float64{{3 - 1}, nil},
	}
	const ticks = 100
	tel := newTelemetry(cfg, ticks, 7)
	tel.degraded[0] = 50
	for k := range ticks + 1 {
		tel.integrate(k, 1000, 500)
	}
	obs := tel.observe(ticks, t0, 1050, 500)
	// Per hour: updated 2*0.5*1000 + 2*0.5*2*50 = 1100; baseline 2*0.5*500 = 500.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"updated cpu", obs.Updated.Signals["cpu"].Count, 1100 * ticks},
		{"baseline cpu", obs.Baseline.Signals["cpu"].Count, 500 * ticks},
	} {
		// Poisson counts: within 5 standard deviations of the mean.
		if math.Abs(c.got-c.want) > 5*math.Sqrt(c.want) {
			t.Errorf("%s: %v events, want about %v", c.name, c.got, c.want)
		}
	}
	if got := obs.Updated.Signals["quiet"].Count + obs.Baseline.Signals["quiet"].Count; got != 0 {
		t.Errorf("a signal with rate 0 counted %v events", got)
	}
	if got, want := obs.Updated.Signals["cpu"].Hours, 1000.0*ticks; math.Abs(got-want) > 1e-6 {
		t.Errorf("updated host-hours %v, want %v", got, want)
	}
	if got, want := obs.Baseline.Signals["cpu"].Hours, 500.0*ticks; math.Abs(got-want) > 1e-6 {
		t.Errorf("baseline host-hours %v, want %v", got, want)
	}
	// The same seed draws the same events.
	again := newTelemetry(cfg, ticks, 7)
	again.degraded[0] = 50
	for k := range ticks + 1 {
		again.integrate(k, 1000, 500)
	}
	if diff := cmp.Diff(obs, again.observe(ticks, t0, 1050, 500)); diff != "" {
		t.Errorf("same seed, different observation (-first +second):\n%s", diff)
	}
}
