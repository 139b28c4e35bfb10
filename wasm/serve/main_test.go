package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The server hands out what build.mjs writes with the headers a browser
// needs: the precompressed sibling the browser accepts, with its
// Content-Encoding and the original's Content-Type (streaming compilation
// requires application/wasm); a year of cache for hashed names and
// no-cache for the page.
func TestHandler(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"index.html":                    "<!doctype html><title>ringwise</title>",
		"index.html.br":                 "BR-PAGE",
		"index.html.gz":                 "GZ-PAGE",
		"ringwise-0123456789ab.wasm":    "\x00asm\x01\x00\x00\x00",
		"ringwise-0123456789ab.wasm.br": "BR-WASM",
		"app-2DIO2AW7.js":               "console.log(1)",
		"app-2DIO2AW7.js.gz":            "GZ-JS",
		"manifest.json":                 "{}",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const year = "public, max-age=31536000, immutable"
	type resp struct {
		Code                          int
		Type, Encoding, Cache, Length string
		Body                          string
	}
	h := handler(dir)
	for _, tc := range []struct {
		path, accept string
		want         resp
	}{
		{"/", "gzip, deflate, br, zstd", resp{200, "text/html; charset=utf-8", "br", "no-cache", "7", "BR-PAGE"}},
		{"/index.html", "gzip", resp{200, "text/html; charset=utf-8", "gzip", "no-cache", "7", "GZ-PAGE"}},
		{"/", "", resp{200, "text/html; charset=utf-8", "", "no-cache", "38", "<!doctype html><title>ringwise</title>"}},
		{"/", "br;q=0, gzip", resp{200, "text/html; charset=utf-8", "gzip", "no-cache", "7", "GZ-PAGE"}},
		{"/ringwise-0123456789ab.wasm", "gzip, br", resp{200, "application/wasm", "br", year, "7", "BR-WASM"}},
		{"/ringwise-0123456789ab.wasm", "gzip", resp{200, "application/wasm", "", year, "8", "\x00asm\x01\x00\x00\x00"}},
		{"/app-2DIO2AW7.js", "br, gzip", resp{200, "text/javascript; charset=utf-8", "gzip", year, "5", "GZ-JS"}},
		{"/manifest.json", "br", resp{200, "application/json", "", "no-cache", "2", "{}"}},
		{"/index.html.br", "br", resp{404, "text/plain; charset=utf-8", "", "no-cache", "", "404 page not found\n"}},
		{"/../../etc/passwd", "", resp{404, "text/plain; charset=utf-8", "", "no-cache", "", "404 page not found\n"}},
		{"/missing-0123456789ab.js", "br", resp{404, "text/plain; charset=utf-8", "", "no-cache", "", "404 page not found\n"}},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := resp{rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Encoding"),
			rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Length"), rec.Body.String()}
		if tc.want.Code == 404 {
			got.Length = ""
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("GET %s (Accept-Encoding %q) (-want +got):\n%s", tc.path, tc.accept, diff)
		}
		if rec.Code == 200 && rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("GET %s: Vary %q, want Accept-Encoding", tc.path, rec.Header().Get("Vary"))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", rec.Code)
	}
}

func TestAcceptEncodings(t *testing.T) {
	got := acceptEncodings("gzip;q=1.0, br; q=0, identity, *;q=0.5")
	want := map[string]bool{"gzip": true, "br": false, "identity": true, "*": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
