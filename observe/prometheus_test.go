package observe_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ringwise/ringwise/internal/testsvc"
	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/rollout"
)

// exporter is a tiny fleet exporter the test controls.
type exporter struct {
	hosts, healthy *prometheus.GaugeVec
	silent         *prometheus.GaugeVec
	crashes, secs  *prometheus.CounterVec
	srv            *http.Server
	addr           string
}

func newExporter(t *testing.T) *exporter {
	reg := prometheus.NewRegistry()
	e := &exporter{
		hosts:   prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fleet_hosts"}, []string{"update", "os_build"}),
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fleet_hosts_healthy"}, []string{"update", "os_build"}),
		silent:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fleet_hosts_silent"}, []string{"update"}),
		crashes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleet_crashes_total"}, []string{"update"}),
		secs:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleet_host_seconds_total"}, []string{"update"}),
	}
	reg.MustRegister(e.hosts, e.healthy, e.silent, e.crashes, e.secs)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = l.Addr().String()
	e.srv = &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}
	go e.srv.Serve(l)
	t.Cleanup(func() { e.srv.Close() })
	return e
}

const telemetry = `telemetry "prometheus" {
  address  = "%ADDR%"
  timeout  = "5s"
  max_age  = "5s"
  fresh    = "min(timestamp(fleet_hosts))"
  updated  = "update=\"${update}\""
  baseline = "update=\"none\""
  hosts    = "sum(fleet_hosts{${cohort}})"
  healthy  = "sum(fleet_hosts_healthy{${cohort}})"
  silent   = "sum(fleet_hosts_silent{${cohort}})"
  strata   = "sum by (${by}) (fleet_hosts_healthy{${cohort}})"
  signal "crash" {
    count = "sum(increase(fleet_crashes_total{${cohort}}[${since}]))"
    hours = "sum(increase(fleet_host_seconds_total{${cohort}}[${since}])) / 3600"
  }
  signal "hang" {
    count = "sum(increase(fleet_hangs_total{${cohort}}[${since}]))"
  }
}
`

func config(t *testing.T, addr string) *observe.Config {
	t.Helper()
	cfg, diags := observe.ParseConfig([]byte(strings.ReplaceAll(telemetry, "%ADDR%", addr)), "telemetry.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg
}

// waitScrapes waits until Prometheus has scraped the exporter's current
// values: fleet_hosts of update u1 equals want.
func waitFor(t *testing.T, p *observe.Prometheus, tg func() observe.Target, ok func(rollout.Observation) bool) rollout.Observation {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last rollout.Observation
	var err error
	for time.Now().Before(deadline) {
		last, err = p.Observe(context.Background(), tg())
		if err == nil && ok(last) {
			return last
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("observation never matched in 30s: last %+v, err %v", last, err)
	return last
}

// TestPrometheus runs a real Prometheus scraping an exporter and checks
// every count of the observation, missing signals, strata and staleness.
func TestPrometheus(t *testing.T) {
	e := newExporter(t)
	// Baseline: 90 hosts on two builds, 1 crash; updated: 10 hosts, 8
	// healthy, 1 silent, 3 crashes over 2 host-hours.
	e.hosts.WithLabelValues("none", "a").Set(60)
	e.hosts.WithLabelValues("none", "b").Set(30)
	e.healthy.WithLabelValues("none", "a").Set(60)
	e.healthy.WithLabelValues("none", "b").Set(30)
	e.silent.WithLabelValues("none").Set(2)
	e.crashes.WithLabelValues("none").Add(0)
	e.secs.WithLabelValues("none").Add(0)
	e.hosts.WithLabelValues("u1", "a").Set(6)
	e.hosts.WithLabelValues("u1", "b").Set(4)
	e.healthy.WithLabelValues("u1", "a").Set(5)
	e.healthy.WithLabelValues("u1", "b").Set(3)
	e.silent.WithLabelValues("u1").Set(1)
	e.crashes.WithLabelValues("u1").Add(0)
	e.secs.WithLabelValues("u1").Add(0)

	prom := testsvc.StartPrometheus(t, e.addr)
	p, err := observe.New(config(t, prom.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Hour)
	target := func() observe.Target {
		return observe.Target{
			Rollout: "r1", Update: rollout.Update{ID: "u1", Kind: "content"}, Started: started, Now: time.Now(),
			Cover: []string{"os_build"},
			Stratum: func(l map[string]string) string {
				if l["os_build"] == "a" {
					return `os_build=a`
				}
				return "" // build b is not in this ring: dropped
			},
		}
	}
	// First scrapes: counters at zero.
	waitFor(t, p, target, func(o rollout.Observation) bool { return o.Updated.Hosts == 10 })
	e.crashes.WithLabelValues("u1").Add(3)
	e.secs.WithLabelValues("u1").Add(7200)
	e.crashes.WithLabelValues("none").Add(1)
	e.secs.WithLabelValues("none").Add(90 * 3600)
	obs := waitFor(t, p, target, func(o rollout.Observation) bool {
		return o.Updated.Signals["crash"].Count >= 3 && o.Baseline.Signals["crash"].Count >= 1
	})
	if d := time.Since(obs.At); d < 0 || d > 5*time.Second {
		t.Errorf("observation At %s is %s before now, want the last scrape (within 5s)", obs.At, d)
	}
	want := rollout.Observation{
		At: obs.At,
		Updated: rollout.Cohort{Hosts: 10, Healthy: 8, Silent: 1,
			// "hang" has no series while the cohort has hosts: missing, not zero.
			Signals: map[string]rollout.Signal{"crash": {Count: 3, Hours: 2}},
			Strata:  map[string]int{"os_build=a": 5}},
		Baseline: rollout.Cohort{Hosts: 90, Healthy: 90, Silent: 2,
			Signals: map[string]rollout.Signal{"crash": {Count: 1, Hours: 90}}},
	}
	if d := cmp.Diff(want, obs); d != "" {
		t.Errorf("observation (-want +got):\n%s", d)
	}

	// A cohort without hosts has zero signals, not missing ones.
	empty := func() observe.Target { tg := target(); tg.Update.ID = "u2"; return tg }
	obs, err = p.Observe(context.Background(), empty())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rollout.Cohort{Signals: map[string]rollout.Signal{"crash": {}, "hang": {}}}, obs.Updated); d != "" {
		t.Errorf("empty cohort (-want +got):\n%s", d)
	}

	// The engine holds on the missing signal.
	t.Run("engine holds on missing", func(t *testing.T) {
		plan, err := rollout.Compile(rollout.Plan{Name: "p", Rings: []rollout.Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Minute}},
			Triggers: []rollout.Trigger{{Name: "hangs", Kind: rollout.Absolute, Signal: "hang", Threshold: 0.5, Action: rollout.Rollback}}})
		if err != nil {
			t.Fatal(err)
		}
		f, err := rollout.NewFleet(plan, "r1", []rollout.Host{{ID: "h1"}, {ID: "h2"}})
		if err != nil {
			t.Fatal(err)
		}
		obs, err := p.Observe(context.Background(), target())
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Start(rollout.Update{ID: "u1", Kind: "content"}, started)
		d := f.Decide(context.Background(), st, obs, obs.At)
		if d.Action != rollout.Hold || !strings.Contains(d.Reasons[0].Message, `signal "hang" of updated hosts is missing`) {
			t.Errorf("decision %s %v, want a hold on the missing signal", d.Action, d.Reasons)
		}
	})

	// Stop the exporter: scrapes fail, the series go stale, Observe says so.
	e.srv.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err = p.Observe(context.Background(), target())
		if errors.Is(err, observe.ErrStale) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ErrStale 30s after the exporter stopped; last error %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestUnreachable: a Prometheus that does not answer is an error, not an
// empty (healthy-looking) observation.
func TestUnreachable(t *testing.T) {
	port := testsvc.FreePort(t)
	p, err := observe.New(config(t, "http://127.0.0.1:"+itoa(port)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Observe(context.Background(), observe.Target{Rollout: "r", Update: rollout.Update{ID: "u"}, Started: time.Unix(0, 0), Now: time.Unix(3600, 0)})
	if err == nil || !strings.Contains(err.Error(), "telemetry.hcl:5:") {
		t.Errorf("error %v, want a failed query naming its FILE:LINE", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
