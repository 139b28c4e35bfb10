// Command serve builds the browser playground and serves wasm/web on
// http://127.0.0.1:8080 (go run ./wasm/serve from the repository root).
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	build := flag.Bool("build", true, "run wasm/build.sh first")
	flag.Parse()
	if _, err := os.Stat(filepath.Join("wasm", "web", "index.html")); err != nil {
		log.Fatal("serve: run from the repository root: go run ./wasm/serve")
	}
	if *build {
		cmd := exec.Command(filepath.Join("wasm", "build.sh"))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("serve: wasm/build.sh: %v", err)
		}
	}
	log.Printf("serving the ringwise playground on http://%s/", *addr)
	log.Fatal(http.ListenAndServe(*addr, handler(filepath.Join("wasm", "web"))))
}

// handler serves the playground's files from dir, never from a stale cache.
func handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
