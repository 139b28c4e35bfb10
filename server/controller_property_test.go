package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

// TestControllerProperties drives a server with random observations,
// clock moves, operator actions and restarts on the same database, and
// checks after every action that no host told "take" is told "wait"
// unless the rollout is halted or paused, that a rolled-back rollout tells
// every host to revert, and that the audit table equals the state's log.
func TestControllerProperties(t *testing.T) {
	dir := t.TempDir()
	pol := loadPolicy(t)
	hosts := fleet()
	n := 0
	reached := map[string]int{} // what the random runs reached, to show they explore
	rapid.Check(t, func(rt *rapid.T) {
		n++
		ctx := context.Background()
		store, err := server.Open(ctx, "sqlite:"+filepath.Join(dir, fmt.Sprintf("db%d", n)))
		if err != nil {
			rt.Fatal(err)
		}
		defer store.Close()
		c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
		var srv *server.Server
		var h http.Handler
		boot := func() {
			srv, err = server.New(ctx, server.Config{Plans: pol, Hosts: hosts, Store: store, Now: c.Now,
				HostTokens: []string{hostToken}, OperatorTokens: map[string]string{opToken: "alice"},
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				rt.Fatal(err)
			}
			h = srv.Handler()
		}
		boot()
		call := func(method, path string, body any) (int, []byte) {
			var rd io.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = bytesReader(b)
			}
			req := httptest.NewRequest(method, path, rd)
			req.Header.Set("Authorization", "Bearer "+opToken)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code, w.Body.Bytes()
		}
		if code, body := call("POST", "/v1/rollouts", server.StartRequest{ID: "r1", Update: rollout.Update{ID: "u", Kind: "content"}}); code != 201 {
			rt.Fatalf("start: %d %s", code, body)
		}
		took := map[string]bool{}
		updated := 0
		rt.Repeat(map[string]func(*rapid.T){
			"observe": func(rt *rapid.T) {
				healthy := updated // mostly healthy, so that runs get past the canary
				if rapid.IntRange(0, 3).Draw(rt, "sick") == 0 {
					healthy = rapid.IntRange(0, updated).Draw(rt, "healthy")
				}
				crashes := rapid.SampledFrom([]float64{0, 0, 0, 0, 0, 0, 1, 5}).Draw(rt, "crashes")
				obs := rollout.Observation{At: c.Now(),
					Updated:  rollout.Cohort{Hosts: updated, Healthy: healthy, Signals: map[string]rollout.Signal{"crash": {Count: crashes}}},
					Baseline: rollout.Cohort{Hosts: len(hosts) - updated, Healthy: len(hosts) - updated, Signals: map[string]rollout.Signal{"crash": {}}}}
				if code, body := call("PUT", "/v1/rollouts/r1/observation", obs); code != 200 {
					rt.Fatalf("observation: %d %s", code, body)
				}
			},
			"step": func(rt *rapid.T) { srv.Step(ctx, "r1") },
			"tick": func(rt *rapid.T) {
				c.Add(time.Duration(rapid.IntRange(0, 180).Draw(rt, "seconds")) * time.Second)
			},
			"restart": func(rt *rapid.T) { boot() },
			"operator": func(rt *rapid.T) {
				a := rapid.SampledFrom([]string{"pause", "resume", "resume", "resume", "stop", "approve", "none", "none", "none"}).Draw(rt, "action")
				if a == "none" {
					return
				}
				call("POST", "/v1/rollouts/r1/"+a, server.ActionRequest{Reason: "property", Ring: "broad"})
			},
			"ask": func(rt *rapid.T) {
				for _, hst := range hosts {
					req := httptest.NewRequest("GET", "/v1/rollouts/r1/hosts/"+hst.ID, nil)
					req.Header.Set("Authorization", "Bearer "+hostToken)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					var a server.HostAnswer
					if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
						rt.Fatalf("%s: %d %s", hst.ID, w.Code, w.Body)
					}
					if a.Verdict == "take" && !took[hst.ID] {
						took[hst.ID] = true
						updated++
					}
				}
			},
			"": func(rt *rapid.T) {
				code, body := call("GET", "/v1/rollouts/r1", nil)
				var st server.Status
				if code != 200 || json.Unmarshal(body, &st) != nil {
					rt.Fatalf("status: %d %s", code, body)
				}
				reached[string(st.Phase)+" "+st.Ring]++
				if len(took) > 0 {
					reached["a host took it"]++
				}
				for id := range took {
					req := httptest.NewRequest("GET", "/v1/rollouts/r1/hosts/"+id, nil)
					req.Header.Set("Authorization", "Bearer "+hostToken)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					var a server.HostAnswer
					json.Unmarshal(w.Body.Bytes(), &a)
					switch {
					case st.Phase == rollout.RolledBack:
						if a.Verdict != "revert" {
							rt.Fatalf("%s told %s after a rollback", id, a.Verdict)
						}
					case st.Phase == rollout.Halted || st.Paused:
					case a.Verdict != "take":
						rt.Fatalf("%s was told take, now %s (%s) while %s", id, a.Verdict, a.Why, st.Phase)
					}
				}
				audit, err := store.Audit(ctx, "r1")
				if err != nil {
					rt.Fatal(err)
				}
				if !cmp.Equal(st.Log, audit, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })) {
					rt.Fatalf("audit table (%d entries) differs from the state's log (%d)", len(audit), len(st.Log))
				}
			},
		})
	})
	t.Logf("states seen: %v", reached)
	for _, k := range []string{"running broad", "rolled_back canary", "halted canary", "a host took it"} {
		if reached[k] == 0 && !t.Failed() {
			t.Errorf("no random run reached %q: the property explores too little", k)
		}
	}
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
