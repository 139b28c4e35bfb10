package rego

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
)

// hostileBudget is the memory a hostile case may allocate in all (check,
// one evaluation and one test run together, garbage included): a bound on
// the memory it can hold.
const hostileBudget = 512 << 20

// hostilePeak bounds the live heap and goroutine stacks of a hostile
// case above what the process held before it (sampled every millisecond).
const hostilePeak = 256 << 20

// hostileWall bounds the wall time of each stage of a hostile case.
const hostileWall = 10 * time.Second

// hostileCase is a gate file of testdata/hostile and what it must do,
// from its "# want:" line:
//
//	# want: compile TEXT   check fails with a diagnostic containing TEXT in the file
//	# want: eval TEXT      check passes; evaluation fails with an error containing TEXT
//	# want: hold MSG       check passes; evaluation holds with MSG
//
// and an optional "# timeout: DURATION" (the gate's timeout attribute).
type hostileCase struct {
	file    string
	stage   string
	text    string
	timeout time.Duration
}

var wantRE = regexp.MustCompile(`(?m)^# want: (compile|eval|hold) (.+)$`)
var timeoutRE = regexp.MustCompile(`(?m)^# timeout: (\S+)$`)

func hostileCases(t *testing.T) []hostileCase {
	paths, err := filepath.Glob("testdata/hostile/*.rego")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no hostile cases: %v", err)
	}
	var cases []hostileCase
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m := wantRE.FindSubmatch(src)
		if m == nil {
			t.Fatalf("%s: no # want: line", p)
		}
		c := hostileCase{file: filepath.Base(p), stage: string(m[1]), text: string(m[2])}
		if m := timeoutRE.FindSubmatch(src); m != nil {
			if c.timeout, err = time.ParseDuration(string(m[1])); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

// memWatch measures what a function allocates (runtime/metrics, the
// whole process: run nothing else meanwhile) and samples the peak of the
// live heap.
type memWatch struct {
	allocs0 uint64
	peak    atomic.Uint64
	base    uint64
	stop    chan struct{}
	done    chan struct{}
}

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// liveBytes is the memory of heap objects and goroutine stacks.
func liveBytes() uint64 {
	return readMetric("/memory/classes/heap/objects:bytes") + readMetric("/memory/classes/heap/stacks:bytes")
}

func startMemWatch() *memWatch {
	runtime.GC()
	w := &memWatch{
		allocs0: readMetric("/gc/heap/allocs:bytes"),
		base:    liveBytes(),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := liveBytes(); h > w.peak.Load() {
				w.peak.Store(h)
			}
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// end returns the bytes allocated since start and the sampled peak of the
// live heap above its level at start.
func (w *memWatch) end() (allocated, peak uint64) {
	close(w.stop)
	<-w.done
	allocated = readMetric("/gc/heap/allocs:bytes") - w.allocs0
	if p := w.peak.Load(); p > w.base {
		peak = p - w.base
	}
	return allocated, peak
}

// TestHostileGates runs every gate of testdata/hostile through the loader
// (what `ringwise check` does), an evaluation (the controller, simulate)
// and the unit-test runner (`ringwise test`): no crash, each stage within
// hostileWall, a located error or a hold, and at most hostileBudget
// allocated. Run with -v for the table of measurements.
func TestHostileGates(t *testing.T) {
	var table []string
	for _, c := range hostileCases(t) {
		t.Run(strings.TrimSuffix(c.file, ".rego"), func(t *testing.T) {
			w := startMemWatch()
			start := time.Now()
			stage := func(name string) {
				if d := time.Since(start); d > hostileWall {
					t.Errorf("%s took %s", name, d)
				}
				start = time.Now()
			}

			// check
			l := NewLoader()
			spec := policy.GateSpec{Name: "hostile", Rego: []string{c.file}, Timeout: c.timeout,
				Range: hcl.Range{Filename: "hostile.hcl", Start: hcl.Pos{Line: 1, Column: 1}}}
			g, _, diags := l.LoadGate(os.DirFS("testdata/hostile"), spec)
			stage("check")
			if c.stage == "compile" {
				if !diags.HasErrors() {
					t.Fatalf("check passed, want an error containing %q", c.text)
				}
				found := false
				for _, d := range diags {
					if strings.Contains(d.Summary+": "+d.Detail, c.text) {
						found = true
						if d.Subject == nil || d.Subject.Filename != c.file || d.Subject.Start.Line < 1 {
							t.Errorf("diagnostic not located in %s: %v", c.file, d)
						}
					}
				}
				if !found {
					t.Errorf("diagnostics %v, want one containing %q", diags, c.text)
				}
			} else {
				if diags.HasErrors() {
					t.Fatalf("check failed: %v", diags)
				}
				v, err := g.(*Gate).Evaluate(context.Background(), gateInput())
				stage("evaluate")
				switch {
				case c.stage == "eval" && (err == nil || !strings.Contains(err.Error(), c.text)):
					t.Errorf("evaluation: %+v, %v; want an error containing %q", v, err, c.text)
				case c.stage == "hold" && (err != nil || len(v.Hold) != 1 || v.Hold[0].Msg != c.text):
					t.Errorf("evaluation: %+v, %v; want a hold %q", v, err, c.text)
				}
				if e, ok := err.(*Error); ok && (e.Src.File != c.file || e.Src.Line < 1) {
					t.Errorf("error not located in %s: %v", c.file, e)
				}
			}

			// ringwise test, with a test that evaluates the gate
			dir := t.TempDir()
			src, err := os.ReadFile(filepath.Join("testdata/hostile", c.file))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, c.file), string(src))
			write(t, filepath.Join(dir, "hostile_test.rego"), "package hostile_test\n\ntest_gate if count(data.hostile.hold) >= 0\n")
			res, err := RunTests(context.Background(), []string{dir}, TestOptions{Timeout: cmpOr(c.timeout, DefaultTimeout)})
			stage("test")
			switch c.stage {
			case "compile":
				if err == nil || !strings.Contains(err.Error(), c.text) {
					t.Errorf("tests: %v; want an error containing %q", err, c.text)
				}
			case "eval":
				if err != nil && !strings.Contains(err.Error(), "deadline") && !strings.Contains(err.Error(), "timeout") {
					t.Errorf("tests: %v", err)
				} else if err == nil && (len(res) != 1 || res[0].Error == nil) {
					t.Errorf("tests: %+v, want the test to err", res)
				}
			case "hold":
				if err != nil || len(res) != 1 || !res[0].Pass() {
					t.Errorf("tests: %+v, %v; want a pass", res, err)
				}
			}

			allocated, peak := w.end()
			if peak > hostilePeak {
				t.Errorf("peak heap and stacks %s, over the budget of %s", byteSize(int64(peak)), byteSize(hostilePeak))
			}
			if allocated > hostileBudget {
				t.Errorf("allocated %s, over the budget of %s", byteSize(int64(allocated)), byteSize(hostileBudget))
			}
			table = append(table, fmt.Sprintf("%-22s %-8s allocated %10s  peak heap+stacks %10s", c.file, c.stage, byteSize(int64(allocated)), byteSize(int64(peak))))
		})
	}
	t.Log("hostile cases (check + evaluate + test):\n" + strings.Join(table, "\n"))
}

func cmpOr(a, b time.Duration) time.Duration {
	if a != 0 {
		return a
	}
	return b
}

func write(t *testing.T, name, src string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}
