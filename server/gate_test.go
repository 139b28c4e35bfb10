package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

// TestGates: the controller's decisions consult the policy's Rego gates;
// a gate that holds keeps the rollout where it is, with its reason in the
// audit log, and lifting it (here: an approval the gate reads) lets it go.
func TestGates(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "gates"), 0o755)
	os.WriteFile(filepath.Join(dir, "policy.hcl"), []byte(`rollout "content" {
  ring "all" {
    steps = [50, 100]
    bake  = "1m"
  }
  gate "change-board" { rego = "gates/board.rego" }
}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "gates", "board.rego"), []byte(`package ringwise.gates.board

approved if {
	some a in input.approvals
	a.by == "change-board"
}

hold contains "the change board has not approved this rollout" if not approved
`), 0o644)
	pol, diags := policy.LoadPaths([]string{dir}, policy.WithGateLoader(rego.NewLoader()))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := context.Background()
	store, err := server.Open(ctx, "sqlite:"+filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	srv, err := server.New(ctx, server.Config{Plans: pol, Hosts: fleet(), Store: store, Now: c.Now,
		HostTokens: []string{hostToken}, OperatorTokens: map[string]string{opToken: "alice", "board-token-0123456789": "change-board"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	op := &server.Client{URL: hs.URL, Token: opToken}
	if _, err := op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "u", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	op.PushObservation(ctx, "r1", rollout.Observation{At: c.Now(), Baseline: rollout.Cohort{Hosts: 100, Healthy: 100}})
	srv.Step(ctx, "r1")
	st, _ := op.Status(ctx, "r1")
	last := st.Log[len(st.Log)-1]
	if st.Step != 0 || last.Action != rollout.Hold || !strings.Contains(last.Reasons[0].String(), `gate "change-board"`) ||
		!strings.Contains(last.Reasons[0].Message, "the change board has not approved") {
		t.Fatalf("step %d, last entry %s; want a hold by the gate", st.Step, last)
	}
	board := &server.Client{URL: hs.URL, Token: "board-token-0123456789"}
	if _, err := board.Act(ctx, "r1", "approve", server.ActionRequest{Ring: "all"}); err != nil {
		t.Fatal(err)
	}
	srv.Step(ctx, "r1")
	if st, _ = op.Status(ctx, "r1"); st.Step != 1 {
		t.Fatalf("after the board's approval: step %d, log:\n%v", st.Step, st.Log)
	}
}
