//go:build !js

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The hostile-input corpus (testdata/hostile at the module root) holds
// policies, gates, scenarios and states written as an attacker, or a very
// unlucky colleague, would write them. TestHostileCorpus runs every file
// of it through every command that reads such files, each as a process of
// its own so that a crash, a hang or a memory blow-up is caught and
// measured instead of taking the test down:
//
//   - no run may crash (a panic, a fatal error or a signal), exit with a
//     usage error, use more than corpusCPU of CPU, or hang past corpusWall;
//   - a run's peak resident memory stays under corpusRSS;
//   - a run that fails exits 1 and places the problem: FILE:LINE:COL, or
//     where a file has no line to point at, the file's path and why;
//   - nothing outside the files a command was given reaches its output
//     (the canaries below, planted in the environment and in a file beside
//     the scenarios).

// corpusCPU bounds the CPU time (user and system) of one command on one
// hostile input: the work it does, whatever else the machine runs.
// corpusWall bounds its wall time, to catch a hang (a blocked read, say)
// that uses no CPU.
const (
	corpusCPU  = 10 * time.Second
	corpusWall = 60 * time.Second
)

// corpusRSS bounds the peak resident memory of one command on one hostile
// input (the process's whole RSS: runtime, OPA and the CLI included). The
// race detector multiplies memory by several times; its budget is larger.
var corpusRSS int64 = 256 << 20

// Canaries: bytes that must never appear in any output.
const (
	canaryEnv  = "RINGWISE-CANARY-ENV-5c0e"
	canaryFile = "RINGWISE-CANARY-FILE-8d1f"
)

// located matches a FILE:LINE:COL position in an output.
var located = regexp.MustCompile(`[^\s:]+:\d+:\d+`)

// crashed matches what a Go program prints when it dies.
var crashed = regexp.MustCompile(`(?m)^(panic: |fatal error: |goroutine \d+ \[|runtime: out of memory|SIGSEGV)`)

type corpusRun struct {
	name string   // shown in failures
	args []string // ringwise arguments
	dir  string   // working directory
	// fails says the command must fail (exit 1); otherwise it may succeed.
	fails bool
	// where is a path that must appear in the output when the run fails.
	where string
}

func TestHostileCorpus(t *testing.T) {
	if raceEnabled {
		corpusRSS *= 4
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../../testdata/hostile")); err != nil {
		t.Fatal(err)
	}
	pol := filepath.Join(root, "policies")
	scen := filepath.Join(root, "scenarios")
	good := filepath.Join(scen, "good", "policy.hcl")

	// Inputs a repository cannot hold: special files, links out, and a
	// file over the size limit.
	special := filepath.Join(root, "special")
	must(t, os.MkdirAll(special, 0o755))
	must(t, syscall.Mkfifo(filepath.Join(special, "fifo.hcl"), 0o644))
	must(t, os.Symlink("/etc/passwd", filepath.Join(special, "passwd.hcl")))
	must(t, os.Symlink("/dev/zero", filepath.Join(special, "zero.hcl")))
	must(t, os.Symlink("../scenarios/secret/policy.hcl", filepath.Join(special, "secret.hcl")))
	big := bytes.Repeat([]byte("# padding, padding, padding, padding, padding, padding, padding\n"), 40000)
	must(t, os.WriteFile(filepath.Join(special, "big.hcl"), big, 0o644))

	var runs []corpusRun
	policies, err := os.ReadDir(pol)
	must(t, err)
	for _, e := range policies {
		p := filepath.Join(pol, e.Name())
		if e.IsDir() {
			// A policy with a gate: check compiles it, test runs its
			// (absent) unit tests in the sandbox.
			runs = append(runs,
				corpusRun{name: "check " + e.Name(), args: []string{"check", p}, where: e.Name()},
				corpusRun{name: "plan " + e.Name(), args: []string{"plan", "-rollout", "content", "-start", "2026-12-18T09:00:00Z", p}, where: e.Name()},
				corpusRun{name: "test " + e.Name(), args: []string{"test", p}, where: e.Name()},
				corpusRun{name: "simulate " + e.Name(), args: []string{"simulate", "-compare=false", "-policy", p, filepath.Join(scen, "good")}, where: e.Name()},
			)
			continue
		}
		runs = append(runs,
			corpusRun{name: "check " + e.Name(), args: []string{"check", p}, fails: true, where: e.Name()},
			corpusRun{name: "plan " + e.Name(), args: []string{"plan", "-start", "2026-12-18T09:00:00Z", p}, fails: true, where: e.Name()},
			corpusRun{name: "fmt " + e.Name(), args: []string{"fmt", p}, where: e.Name()},
			corpusRun{name: "simulate -policy " + e.Name(), args: []string{"simulate", "-compare=false", "-policy", p, filepath.Join(scen, "good")}, fails: true, where: e.Name()},
			corpusRun{name: "review -head " + e.Name(), args: []string{"review", "-runs", "2", "-base", good, "-head", p, filepath.Join(scen, "good")}, fails: true, where: e.Name()},
		)
	}
	scenarios, err := os.ReadDir(scen)
	must(t, err)
	for _, e := range scenarios {
		if e.Name() == "good" || e.Name() == "secret" {
			continue
		}
		s := filepath.Join(scen, e.Name())
		runs = append(runs,
			corpusRun{name: "simulate " + e.Name(), args: []string{"simulate", "-compare=false", s}, fails: true, where: "scenario.hcl"},
			corpusRun{name: "check " + e.Name(), args: []string{"check", filepath.Join(s, "scenario.hcl")}, where: "scenario.hcl"},
			// head is the scenario's own policy attribute.
			corpusRun{name: "review " + e.Name(), args: []string{"review", "-runs", "2", "-base", good, s}, fails: true, where: "scenario.hcl"},
			// Both sides given: the attribute is not read, so a scenario
			// whose only fault is its policy attribute may pass.
			corpusRun{name: "review -base -head " + e.Name(), args: []string{"review", "-runs", "2", "-base", good, "-head", good, s}, where: "scenario.hcl"},
		)
	}
	for _, name := range []string{"fifo.hcl", "passwd.hcl", "zero.hcl", "secret.hcl", "big.hcl"} {
		p := filepath.Join(special, name)
		runs = append(runs,
			corpusRun{name: "check " + name, args: []string{"check", p}, fails: true, where: name},
			corpusRun{name: "check dir " + name, args: []string{"check", special}, fails: true, where: name},
			corpusRun{name: "fmt " + name, args: []string{"fmt", p}, fails: true, where: name},
			corpusRun{name: "fmt -w dir " + name, args: []string{"fmt", "-w", special}, fails: true, where: name},
			corpusRun{name: "plan " + name, args: []string{"plan", p}, fails: true, where: name},
			corpusRun{name: "simulate -policy " + name, args: []string{"simulate", "-compare=false", "-policy", p, filepath.Join(scen, "good")}, fails: true, where: name},
			corpusRun{name: "simulate " + name, args: []string{"simulate", "-compare=false", p}, fails: true, where: name},
		)
	}

	passwd, _ := os.ReadFile("/etc/passwd")
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			out, code, rss, took := runCorpus(t, r)
			if t.Failed() {
				return
			}
			text := string(out)
			t.Logf("exit %d, %v, peak RSS %d MiB", code, took.Round(time.Millisecond), rss>>20)
			if m := crashed.FindString(text); m != "" {
				t.Fatalf("crashed (%q) after %v:\n%s", m, took, clip(text))
			}
			if code != 0 && code != 1 {
				t.Fatalf("exit %d, want 0 or 1:\n%s", code, clip(text))
			}
			if r.fails && code != 1 {
				t.Errorf("exit %d, want 1:\n%s", code, clip(text))
			}
			if code == 1 && !located.MatchString(text) && !strings.Contains(text, r.where) {
				t.Errorf("failed without FILE:LINE:COL or the path %q:\n%s", r.where, clip(text))
			}
			if rss > corpusRSS {
				t.Errorf("peak RSS %d MiB, budget %d MiB", rss>>20, corpusRSS>>20)
			}
			for _, c := range []string{canaryEnv, canaryFile} {
				if strings.Contains(text, c) {
					t.Errorf("output contains the canary %s:\n%s", c, clip(text))
				}
			}
			if len(passwd) > 0 {
				for _, line := range strings.Split(string(passwd), "\n") {
					if strings.HasPrefix(line, "root:") && strings.Contains(text, line) {
						t.Errorf("output contains /etc/passwd's line %q", line)
					}
				}
			}
		})
	}

	// fmt -w over the special directory rewrote nothing outside it.
	after, err := os.ReadFile(filepath.Join(scen, "secret", "policy.hcl"))
	must(t, err)
	if !strings.Contains(string(after), "# "+canaryFile+": a file outside") {
		t.Errorf("fmt -w rewrote the file a symlink points at:\n%s", after)
	}
}

// runCorpus runs one command as a child process (this test binary, which
// runs the CLI's main when RINGWISE_TEST_RUN_MAIN is set) with the canary
// in its environment, and returns its combined output, exit code, peak RSS
// in bytes and wall time; it fails the test past the CPU or wall budget.
func runCorpus(t *testing.T, r corpusRun) (out []byte, code int, rss int64, took time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), corpusWall)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], r.args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "RINGWISE_TEST_RUN_MAIN=1", "RINGWISE_CANARY="+canaryEnv, "GOMAXPROCS=2")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	took = time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("still running after %v; killed:\n%s", corpusWall, clip(buf.String()))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	if cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); cpu > corpusCPU {
		t.Errorf("used %v of CPU, budget %v", cpu, corpusCPU)
	}
	code = cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("killed by %v after %v:\n%s", ws.Signal(), took, clip(buf.String()))
	}
	if err != nil && code < 0 {
		t.Fatalf("%v", err)
	}
	return buf.Bytes(), code, rss, took
}

// clip keeps a failure message readable: hostile inputs make long lines.
func clip(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	return s[:max] + fmt.Sprintf("\n… (%d more bytes)", len(s)-max)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// raceEnabled is set by race_test.go in a -race build.
var raceEnabled bool
