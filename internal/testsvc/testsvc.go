// Package testsvc starts real services for tests: a Prometheus server and
// a PostgreSQL cluster from the Debian packages, on 127.0.0.1, in a
// temporary directory, stopped when the test ends.
//
// A missing binary fails the test with a message naming the package to
// install; nothing skips (CI installs the packages in .ci/run).
package testsvc

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Binary returns the path of a binary, failing t with the package to
// install when it is missing.
func Binary(t testing.TB, name, pkg string, dirs ...string) string {
	t.Helper()
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, name))
		if len(matches) > 0 {
			return matches[len(matches)-1]
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package %q (apt-get install -y %s); .ci/run does this in CI", name, pkg, pkg)
	}
	return p
}

// Process is a started service.
type Process struct {
	Cmd *exec.Cmd
	Log string // path of its combined output
}

// start runs cmd with its output in dir/name.log and stops it with SIGKILL
// (after SIGTERM and a grace period) when the test ends.
func start(t testing.TB, dir, name string, cmd *exec.Cmd) *Process {
	return startSig(t, dir, name, cmd, syscall.SIGTERM)
}

// startSig is start with the signal that asks the service to stop.
func startSig(t testing.TB, dir, name string, cmd *exec.Cmd, stop syscall.Signal) *Process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(stop)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return &Process{Cmd: cmd, Log: logPath}
}

// Tail returns the last lines of a log file, for failure messages.
func Tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// WaitHTTP polls url until it answers 200 or the deadline passes.
func WaitHTTP(ctx context.Context, url string) error {
	var last error
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("%s: %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
