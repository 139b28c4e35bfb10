//go:build !js

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/internal/testsvc"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

// TestMain lets a test run this command as a subprocess (the same run
// function as the ringwise binary): RINGWISE_TEST_RUN_MAIN=1 TESTBINARY
// serve ...
func TestMain(m *testing.M) {
	if os.Getenv("RINGWISE_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const (
	crashOpToken   = "alice:operator-token-0123456789"
	crashHostToken = "host-token-0123456789abcd"
)

const crashPolicy = `rollout "content" {
  applies_to = ["content"]
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "2s"
  }
  ring "broad" {
    steps = [5, 25, 50, 100]
    bake  = "2s"
  }
  trigger "crashes" {
    signal    = "crash"
    above     = 0.2
    min_count = 2
    action    = "rollback"
  }
}
`

// serveProc is a `ringwise serve` subprocess.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	log  string
	done chan struct{}
}

func startServe(t *testing.T, dir string, extra ...string) *serveProc {
	t.Helper()
	port := testsvc.FreePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	args := append([]string{"serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"-policy", filepath.Join(dir, "policy.hcl"), "-inventory", filepath.Join(dir, "inventory.json"),
		"-tick", "20ms", "-decide-every", "200ms", "-host-interval", "1s"}, extra...)
	cmd := exec.Command(os.Args[0], args...)
	logPath := filepath.Join(dir, fmt.Sprintf("serve-%d.log", port))
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "RINGWISE_TEST_RUN_MAIN=1", "RINGWISE_OPERATOR_TOKEN="+crashOpToken, "RINGWISE_HOST_TOKEN="+crashHostToken)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, url: url, log: logPath, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := testsvc.WaitHTTP(ctx, url+"/healthz"); err != nil {
		t.Fatalf("ringwise serve did not start: %v\n%s", err, testsvc.Tail(logPath))
	}
	return p
}

func (p *serveProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func writeFleet(t *testing.T, dir string, n int) []string {
	t.Helper()
	var hosts []server.InventoryHost
	var ids []string
	for i := range n {
		ch := "stable"
		if i < 5 {
			ch = "internal"
		}
		id := fmt.Sprintf("h-%03d", i)
		ids = append(ids, id)
		hosts = append(hosts, server.InventoryHost{ID: id, Labels: map[string]string{"channel": ch, "tenant": fmt.Sprintf("t%d", i%4)}})
	}
	b, _ := json.Marshal(hosts)
	if err := os.WriteFile(filepath.Join(dir, "inventory.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "policy.hcl"), []byte(crashPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestServeCrashRestart kills `ringwise serve` with SIGKILL three times
// during a rollout and restarts it on the same SQLite database. The test is
// the fleet: it asks the host call for every host, and pushes observations
// of the hosts that took the update. The rollout must resume where it was,
// complete, have every decision in the audit log exactly once, and no host
// told "take" may later be told "wait".
func TestServeCrashRestart(t *testing.T) {
	dir := t.TempDir()
	ids := writeFleet(t, dir, 60)
	db := "sqlite:" + filepath.Join(dir, "ringwise.db")
	p := startServe(t, dir, "-db", db)
	ctx := context.Background()
	op := &server.Client{URL: p.url, Token: strings.SplitN(crashOpToken, ":", 2)[1]}
	if _, err := op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-1", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2)) // when to kill; fixed seed
	took := map[string]bool{}
	kills := 0
	var last server.Status
	deadline := time.Now().Add(90 * time.Second)
	nextKill := time.Now().Add(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
	for time.Now().Before(deadline) {
		host := &server.Client{URL: p.url, Token: crashHostToken}
		op.URL = p.url
		for _, id := range ids {
			a, err := host.Host(ctx, "r1", id)
			if err != nil {
				t.Fatalf("host call %s: %v\n%s", id, err, testsvc.Tail(p.log))
			}
			switch a.Verdict {
			case "take":
				took[id] = true
			case "wait":
				if took[id] {
					t.Fatalf("host %s was told take, then wait (%s) without a halt", id, a.Why)
				}
			default:
				t.Fatalf("host %s told %s", id, a.Verdict)
			}
		}
		obs := rollout.Observation{At: time.Now(),
			Updated:  rollout.Cohort{Hosts: len(took), Healthy: len(took), Signals: map[string]rollout.Signal{"crash": {}}},
			Baseline: rollout.Cohort{Hosts: len(ids) - len(took), Healthy: len(ids) - len(took), Signals: map[string]rollout.Signal{"crash": {}}}}
		if err := op.PushObservation(ctx, "r1", obs); err != nil {
			t.Fatal(err)
		}
		st, err := op.Status(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if st.Version < last.Version || len(st.Log) < len(last.Log) || (st.Ring == last.Ring && st.Step < last.Step) {
			t.Fatalf("went back: version %d step %s/%d log %d, before version %d step %s/%d log %d", st.Version, st.Ring, st.Step, len(st.Log), last.Version, last.Ring, last.Step, len(last.Log))
		}
		last = st
		if st.Phase == rollout.Complete {
			break
		}
		if kills < 3 && time.Now().After(nextKill) {
			p.kill()
			kills++
			t.Logf("killed ringwise serve (SIGKILL) at version %d, ring %s step %d", st.Version, st.Ring, st.Step)
			p = startServe(t, dir, "-db", db)
			op.URL = p.url
			restarted, err := op.Status(ctx, "r1")
			if err != nil {
				t.Fatal(err)
			}
			// Nothing decided after our last status read can be lost, and
			// nothing we saw may be missing.
			if restarted.Version < st.Version || len(restarted.Log) < len(st.Log) || !cmp.Equal(restarted.Log[:len(st.Log)], st.Log) {
				t.Fatalf("after restart: version %d log %d, before the kill version %d log %d", restarted.Version, len(restarted.Log), st.Version, len(st.Log))
			}
			nextKill = time.Now().Add(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if last.Phase != rollout.Complete || kills != 3 {
		t.Fatalf("phase %s after %d kills, want complete after 3\n%s", last.Phase, kills, testsvc.Tail(p.log))
	}
	if len(took) != len(ids) {
		t.Errorf("%d of %d hosts took the update", len(took), len(ids))
	}
	p.kill()
	store, err := server.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	audit, err := store.Audit(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Get(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rec.State.Log, audit); d != "" {
		t.Errorf("audit table differs from the state's log (-state +audit):\n%s", d)
	}
	var advances []string
	for i, e := range audit {
		if i > 0 && cmp.Equal(e, audit[i-1]) {
			t.Errorf("audit entry %d repeats entry %d: %s", i, i-1, e)
		}
		if e.Action == rollout.Advance || e.Action == rollout.Done {
			advances = append(advances, fmt.Sprintf("%s %s %d", e.Action, e.Ring, e.Step+1))
		}
	}
	want := []string{"advance canary 1", "advance broad 1", "advance broad 2", "advance broad 3", "advance broad 4", "complete broad 4"}
	if d := cmp.Diff(want, advances); d != "" {
		t.Errorf("advances in the audit log, each exactly once (-want +got):\n%s", d)
	}
}

// TestRolloutVerbs runs the rollout verbs against a `ringwise serve`
// subprocess, then stops it with SIGTERM: it shuts down gracefully.
func TestRolloutVerbs(t *testing.T) {
	dir := t.TempDir()
	writeFleet(t, dir, 20)
	p := startServe(t, dir, "-db", "sqlite:"+filepath.Join(dir, "ringwise.db"))
	t.Setenv("RINGWISE_TOKEN", strings.SplitN(crashOpToken, ":", 2)[1])
	rw := func(args ...string) (string, string, int) {
		var out, errb strings.Builder
		code := run(append([]string{"rollout", args[0], "-server", p.url}, args[1:]...), &out, &errb)
		return out.String(), errb.String(), code
	}
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"start", "-id", "r1", "-update", "c-9", "-kind", "content"}, 0, "phase   running\nat      ring canary, before its first step", ""},
		{[]string{"start", "-id", "r1", "-update", "c-9", "-kind", "content"}, 1, "", "409 Conflict: server: rollout already exists"},
		{[]string{"pause", "r1", "-reason", "change board"}, 0, "phase   running, paused: alice: change board", ""},
		{[]string{"resume", "r1"}, 0, "unpaused by hand", ""},
		{[]string{"approve", "r1", "-ring", "broad"}, 0, "approved ring broad by alice", ""},
		{[]string{"list"}, 0, "r1  c-9     content  running", ""},
		{[]string{"stop", "r1", "-reason", "bad build", "-rollback"}, 0, "phase   rolled_back\n", ""},
		{[]string{"status", "r1"}, 0, "rollback ring canary step 0\n    alice: rollback by hand: bad build", ""},
		{[]string{"status", "nope"}, 1, "", `404 Not Found: server: no such rollout: "nope"`},
		{[]string{"status"}, 2, "", "want one rollout ID"},
		{[]string{"explode", "r1"}, 2, "", `unknown verb "explode"`},
	} {
		out, errs, code := rw(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
			t.Errorf("rollout %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q", strings.Join(tc.args, " "), code, out, errs, tc.code, tc.out, tc.err)
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatal("ringwise serve did not stop within 20s of SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0\n%s", code, testsvc.Tail(p.log))
	}
	if l := testsvc.Tail(p.log); !strings.Contains(l, "shutting down") || !strings.Contains(l, "msg=stopped") {
		t.Errorf("log does not show a graceful shutdown:\n%s", l)
	}
}

// TestServeTranscript: serve and rollout refuse bad input with
// FILE:LINE:COL and the source, before they start anything.
func TestServeTranscript(t *testing.T) {
	t.Setenv("RINGWISE_OPERATOR_TOKEN", "")
	t.Setenv("RINGWISE_HOST_TOKEN", "")
	runTranscript(t, "testdata/serve.txt", nil)
}

// TestServeReplicasFailover runs two `ringwise serve` replicas on one real
// PostgreSQL behind a round-robin "load balancer" (the test), kills one
// with SIGKILL mid-rollout, and lets the other finish: every advance is in
// the audit log exactly once, and each replica, once it told a host
// "take", keeps telling it so.
func TestServeReplicasFailover(t *testing.T) {
	pg := testsvc.StartPostgres(t)
	dir := t.TempDir()
	ids := writeFleet(t, dir, 40)
	reps := []*serveProc{startServe(t, dir, "-db", pg.DSN), startServe(t, dir, "-db", pg.DSN)}
	ctx := context.Background()
	opTok := strings.SplitN(crashOpToken, ":", 2)[1]
	op := func(i int) *server.Client { return &server.Client{URL: reps[i].url, Token: opTok} }
	if _, err := op(0).Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-1", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	took := []map[string]bool{{}, {}}
	fleetTook := map[string]bool{}
	alive := []int{0, 1}
	killed := false
	deadline := time.Now().Add(90 * time.Second)
	var st server.Status
	for n := 0; time.Now().Before(deadline); n++ {
		for k, id := range ids {
			i := alive[(n+k)%len(alive)]
			a, err := (&server.Client{URL: reps[i].url, Token: crashHostToken}).Host(ctx, "r1", id)
			if err != nil {
				t.Fatalf("replica %d, host %s: %v", i, id, err)
			}
			switch a.Verdict {
			case "take":
				took[i][id], fleetTook[id] = true, true
			case "wait":
				if took[i][id] {
					t.Fatalf("replica %d told %s take, then wait (%s)", i, id, a.Why)
				}
			}
		}
		i := alive[n%len(alive)]
		obs := rollout.Observation{At: time.Now(),
			Updated:  rollout.Cohort{Hosts: len(fleetTook), Healthy: len(fleetTook), Signals: map[string]rollout.Signal{"crash": {}}},
			Baseline: rollout.Cohort{Hosts: len(ids) - len(fleetTook), Healthy: len(ids) - len(fleetTook), Signals: map[string]rollout.Signal{"crash": {}}}}
		if err := op(i).PushObservation(ctx, "r1", obs); err != nil {
			t.Fatal(err)
		}
		var err error
		if st, err = op(i).Status(ctx, "r1"); err != nil {
			t.Fatal(err)
		}
		if st.Phase == rollout.Complete {
			break
		}
		if !killed && st.Ring == "broad" && st.Step >= 2 {
			reps[0].kill()
			killed, alive = true, []int{1}
			t.Logf("killed replica 0 (SIGKILL) at ring %s step %d, version %d", st.Ring, st.Step, st.Version)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.Phase != rollout.Complete || !killed {
		t.Fatalf("phase %s, killed %v\nreplica 1 log:\n%s", st.Phase, killed, testsvc.Tail(reps[1].log))
	}
	store, err := server.Open(ctx, pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	audit, err := store.Audit(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	var advances []string
	for _, e := range audit {
		if e.Action == rollout.Advance || e.Action == rollout.Done {
			advances = append(advances, fmt.Sprintf("%s %s %d", e.Action, e.Ring, e.Step+1))
		}
	}
	want := []string{"advance canary 1", "advance broad 1", "advance broad 2", "advance broad 3", "advance broad 4", "complete broad 4"}
	if d := cmp.Diff(want, advances); d != "" {
		t.Errorf("advances, each exactly once (-want +got):\n%s", d)
	}
	if d := cmp.Diff(st.Log, audit); d != "" {
		t.Errorf("audit table differs from the state's log:\n%s", d)
	}
}
