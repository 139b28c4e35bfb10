package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProgressLine(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var out bytes.Buffer
	p := newProgressLine(&out, "simulating x", 4, 72*time.Hour, clock)
	var lines []string
	step := func(d time.Duration, seed uint64, at time.Duration, done bool) {
		now = now.Add(d)
		out.Reset()
		p.update(seed, at, done)
		lines = append(lines, out.String())
	}
	step(0, 1, 0, false)                           // drawn: the first call
	step(50*time.Millisecond, 1, time.Hour, false) // too soon: not drawn
	step(time.Second, 1, 36*time.Hour, false)
	step(time.Second, 2, 18*time.Hour, false)
	step(2*time.Second, 1, 72*time.Hour, true) // a run's end is always drawn
	p.clear()
	want := []string{
		"\rsimulating x: 0 of 4 runs done, simulated +0s of +3d00h00m\033[K",
		"",
		"\rsimulating x: 0 of 4 runs done, simulated +1d12h00m of +3d00h00m, about 7s left\033[K",
		"\rsimulating x: 0 of 4 runs done, simulated +1d12h00m of +3d00h00m, about 9s left\033[K",
		"\rsimulating x: 1 of 4 runs done, simulated +18h00m of +3d00h00m, about 9s left\033[K",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("progress lines (-want +got):\n%s", diff)
	}
	if got := out.String(); !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("clear wrote %q", got)
	}
}

// Progress goes to a terminal only: with stderr a file or a buffer, simulate
// writes nothing there (the transcripts show an empty stderr too).
func TestSimulateQuietWhenNotATerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"simulate", "-runs", "2", "testdata/tiny"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
	if strings.Contains(stdout.String(), "\r") || strings.Contains(stdout.String(), "\033") {
		t.Error("progress in stdout")
	}
}
