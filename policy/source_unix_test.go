//go:build unix

package policy

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReadSourceSpecialFiles: a FIFO (which would block a reader until a
// writer comes) and /dev/zero (endless) are refused before they are read.
func TestReadSourceSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "policy.hcl"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	dev, err := os.OpenRoot("/dev")
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, diags := ReadSource(root.FS(), "policy.hcl", "policy.hcl", 0)
		want := []diag{{"policy.hcl:1:1", "Not a regular file", "is a named pipe (FIFO)"}}
		if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
			t.Errorf("FIFO (-want +got):\n%s", diff)
		}
		_, diags = ReadSource(dev.FS(), "zero", "/dev/zero", 0)
		want = []diag{{"/dev/zero:1:1", "Not a regular file", "is a character device"}}
		if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
			t.Errorf("/dev/zero (-want +got):\n%s", diff)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ReadSource blocked on a FIFO")
	}
}

// TestLoadPathsFIFO: check/plan on a FIFO named like a policy file.
func TestLoadPathsFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "policy.hcl"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, p := range []string{dir, filepath.Join(dir, "policy.hcl")} {
			_, diags := LoadPaths([]string{p})
			want := []diag{{filepath.Join(dir, "policy.hcl") + ":1:1", "Not a regular file", "named pipe"}}
			if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", p, diff)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("LoadPaths blocked on a FIFO")
	}
}
