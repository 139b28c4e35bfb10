package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersionText(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"installed", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/ringwise/ringwise", Version: "v0.1.0"}},
			"ringwise v0.1.0\nbuilt with go1.26.0 for linux/amd64\n"},
		{"checkout, clean", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs", "git", "vcs.revision", "3f2c1d0", "vcs.time", "2026-11-29T03:00:00Z", "vcs.modified", "false")},
			"ringwise (devel)\nrevision 3f2c1d0 (2026-11-29T03:00:00Z)\nbuilt with go1.26.0 for linux/amd64\n"},
		{"checkout, modified", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "3f2c1d0", "vcs.modified", "true")},
			"ringwise (devel)\nrevision 3f2c1d0, modified\nbuilt with go1.26.0 for linux/amd64\n"},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			"ringwise (devel)\nrevision unknown (built without VCS information, e.g. with -buildvcs=false)\nbuilt with go1.26.0 for linux/amd64\n"},
	} {
		if diff := cmp.Diff(tc.want, versionText(tc.bi, true, "linux/amd64")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if got := versionText(nil, false, "linux/amd64"); !strings.Contains(got, "unknown version") {
		t.Errorf("without build info: %q", got)
	}
}

// TestVersionBinary copies this module's files (tracked and untracked,
// as they are now) into a fresh git repository, builds ringwise there with
// VCS stamping, and checks that "ringwise version" reports the commit, and
// "modified" once a tracked file changes. (A fresh repository, because the
// go command stamps builds in a plain git checkout but not in a linked
// worktree, and so that the test sees the code as it is, not as committed.)
func TestVersionBinary(t *testing.T) {
	git := func(dir string, args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.invalid"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	top := git(".", "rev-parse", "--show-toplevel")
	repo := filepath.Join(t.TempDir(), "ringwise")
	for _, name := range strings.Split(git(top, "ls-files", "-co", "--exclude-standard"), "\n") {
		b, err := os.ReadFile(filepath.Join(top, name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(repo, "init", "-q")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "snapshot")
	rev := git(repo, "rev-parse", "HEAD")
	version := func() []string {
		bin := filepath.Join(t.TempDir(), "ringwise")
		build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/ringwise")
		build.Dir = repo
		build.Env = append(os.Environ(), "GOFLAGS=")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, "version")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("ringwise version: %v\n%s%s", err, stdout.String(), stderr.String())
		}
		return strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	}
	lines := version()
	// The go command derives a pseudo-version from the commit.
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "-"+rev[:12]) || !strings.HasPrefix(lines[1], "revision "+rev+" (") ||
		strings.HasSuffix(lines[1], ", modified") || !strings.HasPrefix(lines[2], "built with go") {
		t.Errorf("clean checkout of %s: ringwise version printed\n%s", rev, strings.Join(lines, "\n"))
	}
	readme := filepath.Join(repo, "README.md")
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, append(b, "\nchanged\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	lines = version()
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "+dirty") && !strings.HasSuffix(lines[0], "(devel)") ||
		!strings.HasPrefix(lines[1], "revision "+rev+" (") || !strings.HasSuffix(lines[1], ", modified") {
		t.Errorf("modified checkout of %s: ringwise version printed\n%s", rev, strings.Join(lines, "\n"))
	}
}
