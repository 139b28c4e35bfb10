package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

func fuzzEnv(f *testing.F) (*server.Server, http.Handler) {
	e := newEnv(f, "")
	if _, err := e.op.Start(context.Background(), server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-1", Kind: "content"}}); err != nil {
		f.Fatal(err)
	}
	return e.srv, e.srv.Handler()
}

// FuzzHostCall: any rollout ID, host ID and Authorization header get a
// JSON answer (200, 401 or 404); a 200 names the host it was asked about.
func FuzzHostCall(f *testing.F) {
	_, h := fuzzEnv(f)
	f.Add("r1", "h-000", "Bearer "+hostToken)
	f.Add("r1", "h-\x00\"<>&\u2028", "Bearer "+hostToken)
	f.Add("r1", "nope", "Bearer "+opToken)
	f.Add("r2", "h-001", "Bearer "+hostToken)
	f.Add("r1", "h-001", "Basic x")
	f.Add("r1", "\xff\xfe", "Bearer "+hostToken)
	f.Fuzz(func(t *testing.T, id, host, auth string) {
		if id == "" || host == "" {
			return
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = &url.URL{Path: "/v1/rollouts/" + id + "/hosts/" + host, RawPath: "/v1/rollouts/" + url.PathEscape(id) + "/hosts/" + url.PathEscape(host)}
		req.Header.Set("Authorization", strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, auth))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body := w.Body.Bytes()
		if w.Code >= 300 && w.Code < 400 {
			return // ServeMux redirects paths with "." or "//" segments to their clean form
		}
		if !json.Valid(body) {
			t.Fatalf("status %d, invalid JSON %q", w.Code, body)
		}
		switch w.Code {
		case 200:
			var a server.HostAnswer
			if err := json.Unmarshal(body, &a); err != nil {
				t.Fatal(err)
			}
			if utf8.ValidString(host) && a.Host != host {
				t.Fatalf("answer names host %q, asked about %q", a.Host, host)
			}
			if a.Verdict == "" || a.Why == "" {
				t.Fatalf("answer without verdict: %s", body)
			}
		case 401, 404, 405:
			var e server.Error
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Fatalf("status %d without a JSON error: %s", w.Code, body)
			}
		default:
			t.Fatalf("status %d: %s", w.Code, body)
		}
	})
}

// FuzzAPI: any method, path and body sent with an operator token gets a
// JSON answer, and never a 5xx.
func FuzzAPI(f *testing.F) {
	_, h := fuzzEnv(f)
	f.Add("POST", "/v1/rollouts", `{"id":"r2","update":{"id":"u","kind":"content"}}`)
	f.Add("POST", "/v1/rollouts/r1/pause", `{"reason":"x"}`)
	f.Add("POST", "/v1/rollouts/r1/stop", `{"reason":"x","rollback":true}`)
	f.Add("POST", "/v1/rollouts/r1/approve", `{"ring":"broad"}`)
	f.Add("POST", "/v1/rollouts/r1/resume", `{}`)
	f.Add("PUT", "/v1/rollouts/r1/observation", `{"at":"2026-11-24T12:00:00Z","updated":{"hosts":-1,"signals":{"crash":{"count":1e309}}}}`)
	f.Add("GET", "/v1/rollouts/r1", ``)
	f.Add("GET", "/v1/rollouts", ``)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		switch method {
		case "GET", "POST", "PUT", "DELETE", "PATCH":
		default:
			return
		}
		u, err := url.ParseRequestURI(path)
		if err != nil || !strings.HasPrefix(u.Path, "/v1/") || strings.Contains(path, "#") {
			return
		}
		req := httptest.NewRequest(method, "/", strings.NewReader(body))
		req.URL = u
		req.Header.Set("Authorization", "Bearer "+opToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, path, body, w.Code, w.Body)
		}
		if w.Code >= 300 && w.Code < 400 {
			return // path cleaning redirects
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: status %d, invalid JSON %q", method, path, w.Code, w.Body)
		}
	})
}

// FuzzParseInventory: any input is an inventory or an error, never a panic;
// an accepted inventory has unique, non-empty IDs.
func FuzzParseInventory(f *testing.F) {
	f.Add([]byte(`[{"id":"h1","labels":{"os":"linux"}},{"id":"h2"}]`))
	f.Add([]byte(`[{"id":"h1"},{"id":"h1"}]`))
	f.Add([]byte("[\n{\"id\": 1}]"))
	f.Add([]byte(`[] x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		hosts, err := server.ParseInventory(data, "inv.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "inv.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, h := range hosts {
			if h.ID == "" || seen[h.ID] {
				t.Fatalf("accepted host ID %q twice or empty", h.ID)
			}
			seen[h.ID] = true
		}
	})
}
