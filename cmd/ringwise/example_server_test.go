//go:build !js

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ringwise/ringwise/internal/testsvc"
	"github.com/ringwise/ringwise/server"
)

// TestExampleServer runs the walk-through of examples/server/README.md with
// its files: a real Prometheus scraping fleetsim, `ringwise serve` with
// SQLite and the example's telemetry, and the rollout verbs, from start to
// the rollback the crash trigger makes when the canary's hosts start
// crashing 20s after they updated.
func TestExampleServer(t *testing.T) {
	dir := t.TempDir()
	ex := filepath.Join("..", "..", "examples", "server")
	sim := filepath.Join(dir, "fleetsim")
	if out, err := exec.Command("go", "build", "-o", sim, "../../examples/server/fleetsim").CombinedOutput(); err != nil {
		t.Fatalf("go build fleetsim: %v\n%s", err, out)
	}
	simPort := testsvc.FreePort(t)
	prom := testsvc.StartPrometheus(t, fmt.Sprintf("127.0.0.1:%d", simPort))
	tel, err := os.ReadFile(filepath.Join(ex, "telemetry.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	tel = []byte(strings.Replace(string(tel), "http://127.0.0.1:9090", prom.URL, 1))
	if err := os.WriteFile(filepath.Join(dir, "telemetry.hcl"), tel, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"policy.hcl", "inventory.json"} {
		b, err := os.ReadFile(filepath.Join(ex, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	p := startServe(t, dir, "-db", "sqlite:"+filepath.Join(dir, "demo.db"), "-telemetry", filepath.Join(dir, "telemetry.hcl"), "-observe-every", "2s")
	fs := exec.Command(sim, "-inventory", filepath.Join(dir, "inventory.json"), "-server", p.url, "-rollout", "r1", "-update", "c-292",
		"-listen", fmt.Sprintf("127.0.0.1:%d", simPort), "-crash-after", "20s")
	fs.Env = append(os.Environ(), "RINGWISE_HOST_TOKEN="+crashHostToken)
	simLog, _ := os.Create(filepath.Join(dir, "fleetsim.log"))
	fs.Stdout, fs.Stderr = simLog, simLog
	if err := fs.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Process.Kill(); fs.Wait() })

	t.Setenv("RINGWISE_TOKEN", strings.SplitN(crashOpToken, ":", 2)[1])
	t.Setenv("RINGWISE_SERVER", p.url)
	var out, errb strings.Builder
	if code := run([]string{"rollout", "start", "-id", "r1", "-update", "c-292", "-kind", "content"}, &out, &errb); code != 0 {
		t.Fatalf("rollout start: %d %s", code, errb.String())
	}
	deadline := time.Now().Add(120 * time.Second)
	c := &server.Client{URL: p.url, Token: strings.SplitN(crashOpToken, ":", 2)[1]}
	var st server.Status
	for time.Now().Before(deadline) {
		st, err = c.Status(context.Background(), "r1")
		if err != nil {
			t.Fatal(err)
		}
		if st.Phase != "running" {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	out.Reset()
	run([]string{"rollout", "status", "r1"}, &out, &errb)
	t.Logf("ringwise rollout status r1:\n%s", out.String())
	if st.Phase != "rolled_back" || !strings.Contains(st.Stopped, `trigger "crash-vs-baseline"`) {
		t.Fatalf("phase %s (%s), want rolled_back by the crash trigger\nserver log:\n%s\nfleetsim log:\n%s", st.Phase, st.Stopped, testsvc.Tail(p.log), testsvc.Tail(simLog.Name()))
	}
	var advanced []string
	for _, e := range st.Log {
		if e.Action.String() == "advance" {
			advanced = append(advanced, e.Ring)
		}
	}
	if len(advanced) < 2 || advanced[0] != "canary" || advanced[1] != "early" {
		t.Errorf("advances %v, want the canary to pass its bake (the fault starts 20s after updating) and the early ring to start", advanced)
	}
	a, err := (&server.Client{URL: p.url, Token: crashHostToken}).Host(context.Background(), "r1", "host-0000")
	if err != nil || a.Verdict != "revert" {
		t.Errorf("canary host after the rollback: %+v %v, want revert", a, err)
	}
}
