package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ringwise/ringwise/internal/testsvc"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

// replica is one server of a PostgreSQL deployment.
type replica struct {
	srv   *server.Server
	store *server.Store
	reg   *prometheus.Registry
	op    *server.Client
}

func newReplica(t *testing.T, dsn string, c *clock) *replica {
	t.Helper()
	ctx := context.Background()
	store, err := server.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	reg := prometheus.NewRegistry()
	srv, err := server.New(ctx, server.Config{
		Plans: loadPolicy(t), Hosts: fleet(), Store: store, Now: c.Now, Registry: reg, Gatherer: reg,
		HostTokens: []string{hostToken}, OperatorTokens: map[string]string{opToken: "alice"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Tick: 2 * time.Millisecond, Refresh: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &replica{srv: srv, store: store, reg: reg, op: &server.Client{URL: hs.URL, Token: opToken}}
}

func (r *replica) conflicts(t *testing.T) float64 {
	t.Helper()
	n, err := testutil.GatherAndCount(r.reg, "ringwise_cas_conflicts_total")
	if err != nil || n != 1 {
		t.Fatalf("conflict metric: %d series, %v", n, err)
	}
	mfs, _ := r.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "ringwise_cas_conflicts_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// TestPostgresReplicas runs two servers on one real PostgreSQL and makes
// them race on the same rollout: at every step both decide from the same
// version at the same moment, and exactly one decision is stored; the
// other loses the compare-and-swap. Then both run their controller loops
// freely to the end: every advance is in the audit log exactly once.
func TestPostgresReplicas(t *testing.T) {
	pg := testsvc.StartPostgres(t)
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	a, b := newReplica(t, pg.DSN, c), newReplica(t, pg.DSN, c)
	ctx := context.Background()
	if _, err := a.op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-1", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	push := func(updated int) {
		obs := rollout.Observation{At: c.Now(),
			Updated:  rollout.Cohort{Hosts: updated, Healthy: updated, Signals: map[string]rollout.Signal{"crash": {}}},
			Baseline: rollout.Cohort{Hosts: 100 - updated, Healthy: 100 - updated, Signals: map[string]rollout.Signal{"crash": {}}}}
		// Through replica b: observations are shared through the database.
		if err := b.op.PushObservation(ctx, "r1", obs); err != nil {
			t.Fatal(err)
		}
	}
	// Lock-step races: canary 1, broad 1 and broad 2.
	for round, updated := range []int{0, 4, 13} {
		if round > 0 {
			c.Add(61 * time.Second)
		}
		push(updated)
		for _, r := range []*replica{a, b} {
			if err := r.srv.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := a.store.Get(ctx, "r1")
		var wg sync.WaitGroup
		var stored [2]bool
		start := make(chan struct{})
		for i, r := range []*replica{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				stored[i] = r.srv.Step(ctx, "r1")
			}()
		}
		close(start)
		wg.Wait()
		after, _ := a.store.Get(ctx, "r1")
		if stored[0] == stored[1] {
			t.Fatalf("round %d: replicas stored %v, want exactly one", round, stored)
		}
		if after.Version != before.Version+1 || len(after.State.Log) != len(before.State.Log)+1 || after.State.Log[len(after.State.Log)-1].Action != rollout.Advance {
			t.Fatalf("round %d: version %d -> %d, log %d -> %d; want one advance stored once", round, before.Version, after.Version, len(before.State.Log), len(after.State.Log))
		}
	}
	if got := a.conflicts(t) + b.conflicts(t); got != 3 {
		t.Errorf("%g compare-and-swap conflicts in 3 lock-step rounds, want 3", got)
	}

	// Free running: both controller loops, the clock moving 61s every 20ms.
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, r := range []*replica{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); r.srv.Run(runCtx) }()
	}
	deadline := time.Now().Add(60 * time.Second)
	var st server.Status
	for time.Now().Before(deadline) {
		var err error
		if st, err = a.op.Status(ctx, "r1"); err != nil {
			t.Fatal(err)
		}
		if st.Phase == rollout.Complete {
			break
		}
		c.Add(61 * time.Second)
		push(st.Exposed + 4)
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if st.Phase != rollout.Complete {
		t.Fatalf("rollout is %s at ring %s step %d after 60s", st.Phase, st.Ring, st.Step)
	}
	audit, err := a.store.Audit(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := b.store.Get(ctx, "r1")
	if d := cmp.Diff(rec.State.Log, audit); d != "" {
		t.Errorf("audit table differs from the state's log:\n%s", d)
	}
	var advances []string
	for _, e := range audit {
		if e.Action == rollout.Advance || e.Action == rollout.Done {
			advances = append(advances, fmt.Sprintf("%s %s %d", e.Action, e.Ring, e.Step+1))
		}
	}
	want := []string{"advance canary 1", "advance broad 1", "advance broad 2", "advance broad 3", "complete broad 3"}
	if d := cmp.Diff(want, advances); d != "" {
		t.Errorf("advances, each exactly once (-want +got):\n%s", d)
	}
	t.Logf("compare-and-swap conflicts: replica a %g, replica b %g", a.conflicts(t), b.conflicts(t))
}
