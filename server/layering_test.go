package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayering: the engine, the policy loader, the simulator and review do
// not link the server, the metrics client or the database drivers.
func TestLayering(t *testing.T) {
	pkgs := []string{"rollout", "policy", "simulate", "review", "wasm"}
	banned := []string{"ringwise/server", "ringwise/observe", "jackc/pgx", "modernc.org/sqlite", "prometheus/client_golang"}
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join("..", p)); err != nil {
			continue // not in this tree (yet)
		}
		out, err := exec.Command("go", "list", "-deps", "github.com/ringwise/ringwise/"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", p, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if strings.Contains(dep, b) {
					t.Errorf("%s depends on %s", p, dep)
				}
			}
		}
	}
}
