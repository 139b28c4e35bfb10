package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The server hands out the page and the module with the headers a browser
// needs: WebAssembly.instantiateStreaming requires application/wasm, and a
// rebuilt module must not come from a stale cache.
func TestHandlerServesThePlayground(t *testing.T) {
	dir := t.TempDir()
	page, err := os.ReadFile("../web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"index.html": page, "ringwise.wasm": []byte("\x00asm\x01\x00\x00\x00")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := handler(dir)
	for _, tc := range []struct{ path, typ, body string }{
		{"/", "text/html", "ringwise"},
		{"/ringwise.wasm", "application/wasm", "\x00asm"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", tc.path, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.typ) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, got, tc.typ)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", tc.path, got)
		}
		if !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.body)
		}
	}
}
