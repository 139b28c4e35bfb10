//go:build unix

package rego

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringwise/ringwise/policy"
)

// TestGateFIFO: a gate whose rego file is a named pipe is refused at once
// (opening it would block check until a writer came).
func TestGateFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "gates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "gates", "freeze.rego"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n  gate \"g\" {\n    rego = \"gates/freeze.rego\"\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "p.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	go func() {
		_, diags := policy.LoadPaths([]string{dir}, policy.WithGateLoader(NewLoader()))
		done <- diags.Error()
	}()
	select {
	case msg := <-done:
		if !strings.Contains(msg, "not a regular file") {
			t.Errorf("got %q, want a refusal of the FIFO", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("loading a gate blocked on a FIFO")
	}
}
