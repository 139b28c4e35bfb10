package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing/fstest"
	"time"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

// A server on SQLite: start a rollout, push what the telemetry saw, let
// the controller decide, and ask the host call.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "ringwise-example-")
	defer os.RemoveAll(dir)
	store, err := server.Open(ctx, "sqlite:"+filepath.Join(dir, "ringwise.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	pol, diags := policy.Load(fstest.MapFS{"policy.hcl": {Data: []byte(`rollout "content" {
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "30m"
  }
  ring "broad" {
    steps = [10, 100]
    bake  = "1h"
  }
}
`)}})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	hosts := []rollout.Host{
		{ID: "h-0", Labels: map[string]string{"channel": "internal"}},
		{ID: "h-1", Labels: map[string]string{"channel": "stable"}},
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	srv, err := server.New(ctx, server.Config{
		Plans: pol, Hosts: hosts, Store: store, Now: func() time.Time { return now },
		HostTokens:     []string{"host-token-0123456789"},
		OperatorTokens: map[string]string{"operator-token-0123456789": "alice"},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	op := &server.Client{URL: hs.URL, Token: "operator-token-0123456789"}
	if _, err := op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-1", Kind: "content"}}); err != nil {
		fmt.Println(err)
		return
	}
	// Without -telemetry, a program pushes the observations it builds.
	op.PushObservation(ctx, "r1", rollout.Observation{At: now, Baseline: rollout.Cohort{Hosts: 2, Healthy: 2}})
	srv.Step(ctx, "r1") // Run does this on every tick

	host := &server.Client{URL: hs.URL, Token: "host-token-0123456789"}
	for _, id := range []string{"h-0", "h-1"} {
		a, _ := host.Host(ctx, "r1", id)
		fmt.Println(a.Host, a.Verdict, a.Why, a.Src, a.AskAgain.Format(time.RFC3339))
	}
	st, _ := op.Status(ctx, "r1")
	fmt.Println(st.Phase, st.Ring, st.Step, st.Next.Format(time.RFC3339))
	for _, e := range st.Log {
		fmt.Println(e)
	}
	// Output:
	// h-0 take exposed policy.hcl:2:3 2026-11-24T09:01:00Z
	// h-1 wait not reached yet policy.hcl:7:3 2026-11-24T09:01:00Z
	// running canary 1 2026-11-24T09:30:00Z
	// 2026-11-24T09:00:00Z advance  ring canary step 1
	//     ring "canary" (policy.hcl:2:3): step 1: 100% of the ring (1 hosts)
}

func ExampleParseInventory_error() {
	_, err := server.ParseInventory([]byte(`[
  {"id": "h-0", "labels": {"tenant": "acme"}},
  {"id": "h-1", "labels": {"tenant": 7}}
]`), "hosts.json")
	fmt.Println(err)
	// Output:
	// hosts.json:3:38: inventory: json: cannot unmarshal number into Go struct field InventoryHost.labels of type string
	//       {"id": "h-1", "labels": {"tenant": 7}}
	//                                          ^
}
