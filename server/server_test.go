package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

const testPolicy = `rollout "content" {
  applies_to = ["content"]
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "1m"
  }
  ring "broad" {
    steps = [10, 50, 100]
    bake  = "1m"
  }
  trigger "crashes" {
    signal    = "crash"
    above     = 0.2
    min_count = 2
    action    = "rollback"
  }
}
`

const (
	opToken   = "operator-token-0123456789"
	hostToken = "host-token-0123456789abcd"
)

// fleet returns 4 canary hosts and 96 broad hosts.
func fleet() []rollout.Host {
	var hs []rollout.Host
	for i := range 100 {
		ch := "stable"
		if i < 4 {
			ch = "internal"
		}
		hs = append(hs, rollout.Host{ID: fmt.Sprintf("h-%03d", i), Labels: map[string]string{"channel": ch, "tenant": fmt.Sprintf("t%d", i%5)}})
	}
	return hs
}

func loadPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "policy.hcl"), []byte(testPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	p, diags := policy.LoadPaths([]string{dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return p
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	srv    *server.Server
	store  *server.Store
	http   *httptest.Server
	op     *server.Client
	host   *server.Client
	clock  *clock
	policy *policy.Policy
}

func newEnv(t testing.TB, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(t.TempDir(), "ringwise.db")
	}
	store, err := server.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	p := loadPolicy(t)
	srv, err := server.New(ctx, server.Config{
		Plans: p, Hosts: fleet(), Store: store, Now: c.Now,
		HostTokens: []string{hostToken}, OperatorTokens: map[string]string{opToken: "alice"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &env{srv: srv, store: store, http: hs, clock: c, policy: p,
		op:   &server.Client{URL: hs.URL, Token: opToken},
		host: &server.Client{URL: hs.URL, Token: hostToken}}
}

func (e *env) push(t testing.TB, id string, updated, healthy int, crashes float64) {
	t.Helper()
	obs := rollout.Observation{At: e.clock.Now(),
		Updated:  rollout.Cohort{Hosts: updated, Healthy: healthy, Signals: map[string]rollout.Signal{"crash": {Count: crashes}}},
		Baseline: rollout.Cohort{Hosts: 100 - updated, Healthy: 100 - updated, Signals: map[string]rollout.Signal{"crash": {}}},
	}
	if err := e.op.PushObservation(context.Background(), id, obs); err != nil {
		t.Fatal(err)
	}
}

func (e *env) verdict(t testing.TB, id, host string) string {
	t.Helper()
	a, err := e.host.Host(context.Background(), id, host)
	if err != nil {
		t.Fatal(err)
	}
	return a.Verdict
}

// TestRollout drives a rollout through the API from start to a
// trigger-driven rollback, checking host calls, status and the audit log.
func TestRollout(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	st, err := e.op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-291", Kind: "content"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Phase != rollout.Running || st.Step != 0 || st.Ring != "canary" {
		t.Fatalf("started: %+v", st)
	}
	if v := e.verdict(t, "r1", "h-000"); v != "wait" {
		t.Errorf("canary host before the first step: %s, want wait", v)
	}
	// No observation yet: the controller holds and says why.
	e.srv.Step(ctx, "r1")
	if st, _ = e.op.Status(ctx, "r1"); !strings.Contains(st.Telemetry, "no observation pushed yet") || st.Step != 0 {
		t.Errorf("without an observation: step %d, telemetry %q", st.Step, st.Telemetry)
	}
	e.push(t, "r1", 0, 0, 0)
	e.srv.Step(ctx, "r1")
	if v := e.verdict(t, "r1", "h-000"); v != "take" {
		t.Errorf("canary host after the first step: %s, want take", v)
	}
	if v := e.verdict(t, "r1", "h-050"); v != "wait" {
		t.Errorf("broad host during canary: %s, want wait", v)
	}
	a, _ := e.host.Host(ctx, "r1", "h-050")
	if a.Rule != "broad" || !strings.HasSuffix(a.Src, "policy.hcl:8:3") || a.Why != "not reached yet" || a.AskAgain.IsZero() {
		t.Errorf("host answer %+v, want the broad ring's rule with FILE:LINE:COL and a time to ask again", a)
	}
	// Bake, healthy canary: on to broad step 1.
	e.clock.Add(61 * time.Second)
	e.push(t, "r1", 4, 4, 0)
	e.srv.Step(ctx, "r1")
	st, _ = e.op.Status(ctx, "r1")
	if st.Ring != "broad" || st.Step != 1 {
		t.Fatalf("after the canary baked: ring %s step %d, want broad 1", st.Ring, st.Step)
	}
	// Crashes: rollback; every host is told to revert.
	e.clock.Add(10 * time.Second)
	e.push(t, "r1", 13, 10, 5)
	e.srv.Step(ctx, "r1")
	st, _ = e.op.Status(ctx, "r1")
	if st.Phase != rollout.RolledBack || !strings.Contains(st.Stopped, `trigger "crashes"`) {
		t.Fatalf("after crashes: %s (%s), want rolled_back by the trigger", st.Phase, st.Stopped)
	}
	for _, h := range []string{"h-000", "h-050"} {
		if v := e.verdict(t, "r1", h); v != "revert" {
			t.Errorf("%s after rollback: %s, want revert", h, v)
		}
	}
	audit, err := e.store.Audit(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(st.Log, audit); d != "" {
		t.Errorf("audit table differs from the state's log (-state +audit):\n%s", d)
	}
	var actions []string
	for _, en := range audit {
		actions = append(actions, fmt.Sprintf("%s %s %d", en.Action, en.Ring, en.Step+1))
	}
	want := []string{"advance canary 1", "advance broad 1", "rollback broad 1"}
	if d := cmp.Diff(want, actions); d != "" {
		t.Errorf("audit actions (-want +got):\n%s", d)
	}
	// Metrics count the decisions.
	resp, err := http.Get(e.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{`ringwise_decisions_total{action="rollback",rule="trigger \"crashes\""} 1`, `ringwise_host_calls_total{verdict="revert"} 2`, "ringwise_host_call_seconds_count"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("metrics lack %s", m)
		}
	}
}

// TestOperatorActions: pause, resume, approve, stop, with the audit log.
func TestOperatorActions(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	if _, err := e.op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "u", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	e.push(t, "r1", 0, 0, 0)
	st, err := e.op.Act(ctx, "r1", "pause", server.ActionRequest{Reason: "waiting for the change board"})
	if err != nil || !st.Paused {
		t.Fatalf("pause: %+v %v", st, err)
	}
	e.srv.Step(ctx, "r1")
	if st, _ = e.op.Status(ctx, "r1"); st.Step != 0 {
		t.Errorf("paused rollout advanced to step %d", st.Step)
	}
	if v := e.verdict(t, "r1", "h-000"); v != "wait" {
		t.Errorf("host of a paused rollout: %s", v)
	}
	if st, err = e.op.Act(ctx, "r1", "resume", server.ActionRequest{}); err != nil || st.Paused {
		t.Fatalf("resume: %+v %v", st, err)
	}
	e.srv.Step(ctx, "r1")
	if v := e.verdict(t, "r1", "h-000"); v != "take" {
		t.Errorf("canary host after unpause: %s", v)
	}
	if st, err = e.op.Act(ctx, "r1", "approve", server.ActionRequest{Ring: "broad"}); err != nil || len(st.Approvals) != 1 || st.Approvals[0].By != "alice" {
		t.Fatalf("approve: %+v %v", st.Approvals, err)
	}
	if st, err = e.op.Act(ctx, "r1", "stop", server.ActionRequest{Reason: "bad build"}); err != nil || st.Phase != rollout.Halted {
		t.Fatalf("stop: %+v %v", st, err)
	}
	if v := e.verdict(t, "r1", "h-000"); v != "wait" {
		t.Errorf("host of a halted rollout: %s", v)
	}
	e.srv.Step(ctx, "r1") // the controller must see the observation before resume
	if st, err = e.op.Act(ctx, "r1", "resume", server.ActionRequest{}); err != nil || st.Phase != rollout.Running {
		t.Fatalf("resume after halt: %+v %v", st, err)
	}
	if st, err = e.op.Act(ctx, "r1", "stop", server.ActionRequest{Reason: "pull it", Rollback: true}); err != nil || st.Phase != rollout.RolledBack {
		t.Fatalf("stop -rollback: %+v %v", st, err)
	}
	var msgs []string
	for _, en := range st.Log {
		msgs = append(msgs, en.Reasons[len(en.Reasons)-1].Message)
	}
	want := []string{
		"paused by hand: alice: waiting for the change board", "unpaused by hand",
		"step 1: 100% of the ring (4 hosts)", "halt by hand: bad build",
		"halted: alice: bad build; waiting for an explicit resume", "resumed by alice", "rollback by hand: pull it",
	}
	if d := cmp.Diff(want, msgs); d != "" {
		t.Errorf("audit messages (-want +got):\n%s", d)
	}
	list, err := e.op.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "r1" || list[0].Log != nil {
		t.Errorf("list: %+v %v", list, err)
	}
}

// TestErrors: bad requests get a 4xx JSON error saying what was wrong.
func TestErrors(t *testing.T) {
	e := newEnv(t, "")
	if _, err := e.op.Start(context.Background(), server.StartRequest{ID: "r1", Update: rollout.Update{ID: "u", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, token, body string
		code                            int
		want                            string
	}{
		{"no token", "GET", "/v1/rollouts/r1/hosts/h-000", "", "", 401, "token is required"},
		{"wrong token", "GET", "/v1/rollouts/r1/hosts/h-000", "nope-nope-nope-nope", "", 401, "token is required"},
		{"host token on the API", "POST", "/v1/rollouts/r1/stop", hostToken, `{"reason":"x"}`, 403, "a host token cannot stop rollouts"},
		{"host token lists", "GET", "/v1/rollouts", hostToken, "", 403, "host token cannot list"},
		{"unknown rollout", "GET", "/v1/rollouts/r9/hosts/h-000", hostToken, "", 404, `no rollout "r9"`},
		{"unknown rollout status", "GET", "/v1/rollouts/r9", opToken, "", 404, `no such rollout: "r9"`},
		{"bad json", "POST", "/v1/rollouts", opToken, `{"id":`, 400, "bad JSON body"},
		{"unknown field", "POST", "/v1/rollouts", opToken, `{"id":"r2","updat":{}}`, 400, `unknown field "updat"`},
		{"trailing", "POST", "/v1/rollouts", opToken, `{"id":"r2"} {}`, 400, "trailing data"},
		{"empty", "POST", "/v1/rollouts", opToken, ``, 400, "empty body"},
		{"bad id", "POST", "/v1/rollouts", opToken, `{"id":"../x","update":{"id":"u","kind":"content"}}`, 400, `id "../x"`},
		{"no update", "POST", "/v1/rollouts", opToken, `{"id":"r2"}`, 400, "update needs an id and a kind"},
		{"unknown kind", "POST", "/v1/rollouts", opToken, `{"id":"r2","update":{"id":"u","kind":"firmware"}}`, 422, `no rollout applies to kind "firmware"`},
		{"unknown urgency", "POST", "/v1/rollouts", opToken, `{"id":"r2","update":{"id":"u","kind":"content","urgency":"panic"}}`, 422, `defines no urgency "panic"`},
		{"exists", "POST", "/v1/rollouts", opToken, `{"id":"r1","update":{"id":"u","kind":"content"}}`, 409, "already exists"},
		{"pause without reason", "POST", "/v1/rollouts/r1/pause", opToken, `{}`, 400, "pause needs a reason"},
		{"approve unknown ring", "POST", "/v1/rollouts/r1/approve", opToken, `{"ring":"nope"}`, 400, "approve needs the ring"},
		{"resume running", "POST", "/v1/rollouts/r1/resume", opToken, `{}`, 409, "cannot resume a rollout that is running"},
		{"observation without time", "PUT", "/v1/rollouts/r1/observation", opToken, `{"updated":{"hosts":1}}`, 400, `needs "at"`},
		{"observation wrong type", "PUT", "/v1/rollouts/r1/observation", opToken, `{"at":"2026-01-01T00:00:00Z","updated":{"hosts":"x"}}`, 400, "bad JSON body"},
		{"content type", "POST", "/v1/rollouts", opToken, `id=r2`, 415, "send application/json"},
		{"too large", "POST", "/v1/rollouts", opToken, `{"id":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too large"},
		{"no endpoint", "GET", "/v2/nothing", opToken, "", 404, "no endpoint GET /v2/nothing"},
		{"wrong method", "DELETE", "/v1/rollouts/r1", opToken, "", 405, "method not allowed (allowed: GET)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.http.URL+tc.path, strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.name == "content type" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.code {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.code, body)
			}
			if tc.want == "" {
				return
			}
			var je server.Error
			if err := json.Unmarshal(body, &je); err != nil || !strings.Contains(je.Error, tc.want) {
				t.Errorf("body %s, want a JSON error containing %q", body, tc.want)
			}
		})
	}
}

// TestAdopt: a server restarted with an edited policy holds the rollout
// (the plan changed under it) until an operator adopts the new plan.
func TestAdopt(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	if _, err := e.op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "u", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	e.push(t, "r1", 0, 0, 0)
	e.srv.Step(ctx, "r1")
	if _, err := e.op.Act(ctx, "r1", "adopt", server.ActionRequest{}); err == nil || !strings.Contains(err.Error(), "already runs plan") {
		t.Errorf("adopt of an unchanged plan: %v", err)
	}
	// The same database, a policy whose canary bakes 2m instead of 1m.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "policy.hcl"), []byte(strings.Replace(testPolicy, `bake  = "1m"`, `bake  = "2m"`, 1)), 0o644)
	p2, diags := policy.LoadPaths([]string{dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	srv2, err := server.New(ctx, server.Config{Plans: p2, Hosts: fleet(), Store: e.store, Now: e.clock.Now,
		HostTokens: []string{hostToken}, OperatorTokens: map[string]string{opToken: "alice"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv2.Handler())
	defer hs.Close()
	op := &server.Client{URL: hs.URL, Token: opToken}
	e.clock.Add(61 * time.Second)
	srv2.Step(ctx, "r1")
	st, _ := op.Status(ctx, "r1")
	if last := st.Log[len(st.Log)-1]; !strings.Contains(last.Reasons[0].Message, "plan changed under a running rollout") {
		t.Fatalf("last entry %s, want a hold because the plan changed", last)
	}
	st, err = op.Act(ctx, "r1", "adopt", server.ActionRequest{})
	if err != nil || st.Ring != "canary" || st.Step != 1 || !strings.Contains(st.Log[len(st.Log)-1].Reasons[0].Message, "adopted plan") {
		t.Fatalf("adopt: %+v %v", st, err)
	}
	a, err := (&server.Client{URL: hs.URL, Token: hostToken}).Host(ctx, "r1", "h-000")
	if err != nil || a.Verdict != "take" {
		t.Errorf("canary host after adopt: %+v %v", a, err)
	}
}

// TestTelemetryUnavailable: with Prometheus unreachable the controller
// decides nothing (the rollout holds where it is) and the status says why.
func TestTelemetryUnavailable(t *testing.T) {
	ctx := context.Background()
	store, err := server.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg, diags := observe.ParseConfig([]byte(`telemetry "prometheus" {
  address  = "http://`+addr+`"
  updated  = "update=\"${update}\""
  baseline = "update=\"none\""
  hosts    = "sum(fleet_hosts{${cohort}})"
  healthy  = "sum(fleet_hosts_healthy{${cohort}})"
}
`), "telemetry.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	obs, err := observe.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	srv, err := server.New(ctx, server.Config{Plans: loadPolicy(t), Hosts: fleet(), Store: store, Now: c.Now, Observer: obs,
		HostTokens: []string{hostToken}, OperatorTokens: map[string]string{opToken: "alice"},
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
	for range 3 {
		if srv.Step(ctx, "r1") {
			t.Fatal("a decision was stored without telemetry")
		}
		c.Add(time.Minute)
	}
	st, _ := op.Status(ctx, "r1")
	if st.Step != 0 || len(st.Log) != 0 || !strings.Contains(st.Telemetry, "telemetry.hcl:5:14") || !strings.Contains(st.Telemetry, "connection refused") {
		t.Errorf("step %d, %d log entries, telemetry %q; want no decision and the failed query named", st.Step, len(st.Log), st.Telemetry)
	}
}

// TestHostOwnToken: a host's own token asks only about that host.
func TestHostOwnToken(t *testing.T) {
	ctx := context.Background()
	store, err := server.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := server.New(ctx, server.Config{Plans: loadPolicy(t), Hosts: fleet(), Store: store,
		HostTokenOf: map[string]string{"h-001": "h-001-token-0123456789"}, OperatorTokens: map[string]string{opToken: "alice"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	if _, err := (&server.Client{URL: hs.URL, Token: opToken}).Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "u", Kind: "content"}}); err != nil {
		t.Fatal(err)
	}
	own := &server.Client{URL: hs.URL, Token: "h-001-token-0123456789"}
	if a, err := own.Host(ctx, "r1", "h-001"); err != nil || a.Verdict != "wait" {
		t.Errorf("own host: %+v %v", a, err)
	}
	var ae *server.APIError
	if _, err := own.Host(ctx, "r1", "h-002"); !errors.As(err, &ae) || ae.Status != 403 || !strings.Contains(ae.Message, `only ask about its own host, not "h-002"`) {
		t.Errorf("another host: %v (%q), want 403", err, ae.Message)
	}
	if _, err := own.List(ctx); !errors.As(err, &ae) || ae.Status != 403 {
		t.Errorf("list with a host's token: %v, want 403", err)
	}
}
