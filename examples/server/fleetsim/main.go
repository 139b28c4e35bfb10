// Command fleetsim is a small fleet for the ringwise server walk-through:
// every host checks in with the host call, takes the update when told
// "take", reverts it when told "revert", and the fleet exports what a real
// fleet's telemetry would say (hosts, healthy hosts, crashes, host-seconds,
// by update and OS build) for Prometheus to scrape.
//
//	fleetsim -inventory inventory.json -server http://127.0.0.1:8080 \
//	    -rollout r1 -update c-292 -listen 127.0.0.1:9101 -crash-after 20s
//
// With -crash-after, updated hosts start crashing that long after taking
// the update (a bad update whose fault is not immediate); without it the
// update is good. fleetsim -write-inventory N writes an inventory of N
// hosts to stdout. Randomness is seeded (-seed).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type host struct {
	ID     string            `json:"id"`
	Labels map[string]string `json:"labels"`

	update    string    // installed update, "none" before
	installed time.Time // when it took the update
	healthy   bool      // reported healthy since it updated
}

func main() {
	inv := flag.String("inventory", "inventory.json", "inventory `file`")
	srv := flag.String("server", "http://127.0.0.1:8080", "ringwise server `URL`")
	rollout := flag.String("rollout", "r1", "rollout `ID` to ask about")
	update := flag.String("update", "c-292", "update `ID` the rollout ships")
	listen := flag.String("listen", "127.0.0.1:9101", "metrics listen `address`")
	interval := flag.Duration("interval", time.Second, "check-in interval")
	crashAfter := flag.Duration("crash-after", 0, "updated hosts crash this long after updating (0: a good update)")
	crashProb := flag.Float64("crash-prob", 0.3, "with -crash-after: chance an updated host crashes at each check-in")
	seed := flag.Uint64("seed", 1, "random seed")
	write := flag.Int("write-inventory", 0, "write an inventory of `N` hosts to stdout and exit")
	flag.Parse()
	if *write > 0 {
		writeInventory(os.Stdout, *write)
		return
	}
	token := os.Getenv("RINGWISE_HOST_TOKEN")
	if token == "" {
		log.Fatal("fleetsim: set RINGWISE_HOST_TOKEN to a host token of the server")
	}
	data, err := os.ReadFile(*inv)
	if err != nil {
		log.Fatal(err)
	}
	var hosts []*host
	if err := json.Unmarshal(data, &hosts); err != nil {
		log.Fatalf("fleetsim: %s: %v", *inv, err)
	}
	for _, h := range hosts {
		h.update = "none"
	}
	f := newFleet(hosts)
	http.Handle("/metrics", promhttp.HandlerFor(f.reg, promhttp.HandlerOpts{}))
	go func() { log.Fatal(http.ListenAndServe(*listen, nil)) }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rng := rand.New(rand.NewPCG(*seed, 0x5eed))
	client := &http.Client{Timeout: 5 * time.Second}
	t := time.NewTicker(*interval)
	defer t.Stop()
	last := time.Now()
	for {
		now := time.Now()
		f.tick(ctx, client, *srv, token, *rollout, *update, now, now.Sub(last), *crashAfter, *crashProb, rng)
		last = now
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type fleet struct {
	hosts   []*host
	reg     *prometheus.Registry
	count   *prometheus.GaugeVec
	healthy *prometheus.GaugeVec
	crashes *prometheus.CounterVec
	seconds *prometheus.CounterVec
	took    map[string]int // verdict counts of the last tick, for the log
	mu      sync.Mutex
}

func newFleet(hosts []*host) *fleet {
	f := &fleet{hosts: hosts, reg: prometheus.NewRegistry(),
		count:   prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fleet_hosts", Help: "Hosts reporting, by installed update and OS build."}, []string{"update", "os_build"}),
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fleet_hosts_healthy", Help: "Hosts that reported healthy since they updated."}, []string{"update", "os_build"}),
		crashes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleet_crashes_total", Help: "Crashes, by installed update."}, []string{"update"}),
		seconds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fleet_host_seconds_total", Help: "Host running time, by installed update."}, []string{"update"}),
	}
	f.reg.MustRegister(f.count, f.healthy, f.crashes, f.seconds)
	return f
}

// tick checks every host in with the server and updates the metrics.
func (f *fleet) tick(ctx context.Context, c *http.Client, srv, token, rollout, update string, now time.Time, dt, crashAfter time.Duration, crashProb float64, rng *rand.Rand) {
	verdicts := map[string]int{}
	for _, h := range f.hosts {
		v, err := ask(ctx, c, srv, token, rollout, h.ID)
		if err != nil {
			verdicts["error"]++
			continue
		}
		verdicts[v]++
		switch {
		case v == "take" && h.update != update:
			h.update, h.installed, h.healthy = update, now, false
			f.crashes.WithLabelValues(update).Add(0) // the series starts at zero
		case v == "revert" && h.update == update:
			h.update, h.healthy = "none", true
		case h.update == update && !h.healthy && now.Sub(h.installed) >= dt:
			h.healthy = true // a check-in after updating, without a crash
		}
		f.crashes.WithLabelValues(h.update).Add(0)
		if h.update == update && crashAfter > 0 && now.Sub(h.installed) >= crashAfter && rng.Float64() < crashProb {
			f.crashes.WithLabelValues(h.update).Inc()
			h.healthy = false
		}
		f.seconds.WithLabelValues(h.update).Add(dt.Seconds())
	}
	f.count.Reset()
	f.healthy.Reset()
	for _, h := range f.hosts {
		b := h.Labels["os_build"]
		f.count.WithLabelValues(h.update, b).Inc()
		g := f.healthy.WithLabelValues(h.update, b)
		if h.healthy || h.update == "none" {
			g.Inc()
		}
	}
	f.mu.Lock()
	if fmt.Sprint(verdicts) != fmt.Sprint(f.took) {
		log.Printf("fleetsim: %v", verdicts)
	}
	f.took = verdicts
	f.mu.Unlock()
}

func ask(ctx context.Context, c *http.Client, srv, token, rollout, id string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(srv, "/")+"/v1/rollouts/"+url.PathEscape(rollout)+"/hosts/"+url.PathEscape(id), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("%s: %s", resp.Status, body)
	}
	var a struct {
		Verdict string `json:"verdict"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return "", err
	}
	return a.Verdict, nil
}

// writeInventory writes n hosts: 5% internal (the canary), 15% early, the
// rest stable; two OS builds, eight tenants.
func writeInventory(w io.Writer, n int) {
	var hs []host
	for i := range n {
		ch := "stable"
		switch {
		case i%20 == 0:
			ch = "internal"
		case i%20 < 4:
			ch = "early"
		}
		hs = append(hs, host{ID: fmt.Sprintf("host-%04d", i), Labels: map[string]string{
			"channel": ch, "os_build": []string{"22631", "26100"}[i/20%2], "tenant": fmt.Sprintf("tenant-%d", i%8),
		}})
	}
	b, _ := json.MarshalIndent(hs, "", " ")
	fmt.Fprintf(w, "%s\n", b)
}
