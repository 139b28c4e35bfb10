// Command serve builds the browser playground and serves wasm/dist on
// http://127.0.0.1:8080 (go run ./wasm/serve from the repository root).
//
// It serves what any static host would, plus what a good one does: the
// precompressed .br or .gz sibling of a file when the browser accepts that
// encoding (with Content-Encoding and Vary), content-hashed assets with a
// year-long immutable cache, and the page (and anything unhashed) with
// no-cache, so a rebuilt playground is never hidden behind a stale page.
package main

import (
	"flag"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	build := flag.Bool("build", true, "run wasm/build.sh first")
	dir := flag.String("dir", filepath.Join("wasm", "dist"), "directory to serve")
	flag.Parse()
	if *build {
		if _, err := os.Stat(filepath.Join("wasm", "build.sh")); err != nil {
			log.Fatal("serve: run from the repository root (go run ./wasm/serve), or pass -build=false -dir DIR")
		}
		cmd := exec.Command(filepath.Join("wasm", "build.sh"))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("serve: wasm/build.sh: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(*dir, "index.html")); err != nil {
		log.Fatalf("serve: %s has no index.html: run wasm/build.sh", *dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("serve: %v", err)
	}
	// The browser tests start this with -addr 127.0.0.1:0 and read the
	// address from this line.
	log.Printf("serving the ringwise playground on http://%s/", ln.Addr())
	log.Fatal(http.Serve(ln, handler(*dir)))
}

// hashed matches the names build.mjs gives assets: name-HASH.ext, HASH
// being 8 or more letters and digits of the content's digest.
var hashed = regexp.MustCompile(`-[0-9A-Za-z]{8,}\.[a-z]+$`)

// encodings are the precompressed siblings, in order of preference.
var encodings = []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// handler serves the files of dir (see the package doc).
func handler(dir string) http.Handler {
	root := http.Dir(dir)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		h := w.Header()
		h.Set("Cache-Control", "no-cache") // also for errors: a missing file may be built later
		h.Set("X-Content-Type-Options", "nosniff")
		if strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			http.NotFound(w, r) // the siblings are served only as encodings
			return
		}
		typ := mime.TypeByExtension(path.Ext(name))
		if path.Ext(name) == ".wasm" {
			typ = "application/wasm" // streaming compilation requires it
		}
		serve := func(f http.File, st os.FileInfo) {
			if hashed.MatchString(name) {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			if typ != "" {
				h.Set("Content-Type", typ)
			}
			h.Add("Vary", "Accept-Encoding")
			http.ServeContent(w, r, name, st.ModTime(), f)
		}
		accepted := acceptEncodings(r.Header.Get("Accept-Encoding"))
		for _, e := range encodings {
			if !accepted[e.token] {
				continue
			}
			f, err := root.Open(name + e.ext)
			if err != nil {
				continue
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil || st.IsDir() {
				continue
			}
			h.Set("Content-Encoding", e.token)
			if r.Header.Get("Range") == "" {
				// ServeContent leaves the length out of encoded
				// responses; the page shows download progress with it.
				h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
			}
			serve(f, st)
			return
		}
		f, err := root.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		serve(f, st)
	})
}

// acceptEncodings returns the codings an Accept-Encoding header accepts
// (q=0 refuses one).
func acceptEncodings(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		token = strings.ToLower(strings.TrimSpace(token))
		if token == "" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		out[token] = !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	return out
}
