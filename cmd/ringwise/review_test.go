package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReviewGolden runs ringwise review and compares the Markdown it prints
// (and what it writes to stderr, if anything) with
// testdata/review/NAME.md (and NAME.stderr). Regenerate with
// go test -run TestReviewGolden -rewrite.
func TestReviewGolden(t *testing.T) {
	const dir = "testdata/review/"
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		// Head stages the update: a smaller blast radius on a bad update, a
		// slower protection on a good one. A directory argument means every
		// scenario.hcl under it, in order.
		{"staged", []string{"-base", dir + "all-at-once.hcl", "-head", dir + "staged.hcl", dir + "scenarios"}, 0},
		// The other way round, head is worse: one run each.
		{"all-at-once", []string{"-runs", "1", "-base", dir + "staged.hcl", "-head", dir + "all-at-once.hcl", dir + "scenarios/bad-push/scenario.hcl"}, 0},
		// Without -base, base is the scenario's own policy: no change. It
		// is ../../all-at-once.hcl, so -root names the directory it is in.
		{"same", []string{"-runs", "1", "-root", dir, "-head", dir + "all-at-once.hcl", dir + "scenarios/good-update/scenario.hcl"}, 0},
		// Head is a directory with a Rego gate that freezes the release day.
		{"gated", []string{"-runs", "2", "-seed", "7", "-base", dir + "staged.hcl", "-head", dir + "frozen", dir + "scenarios"}, 0},
		// The README's example.
		{"cloudflare-2019", []string{"-base", "../../examples/cloudflare-2019/all-at-once.hcl", "-head", "../../examples/policies/recommended.hcl", "../../examples/cloudflare-2019/scenario.hcl"}, 0},
		// A suite with budgets: staging misses the time to 95%, so -check
		// exits 1 (the comment is printed all the same).
		{"budgets", []string{"-check", "-runs", "6", "-base", dir + "all-at-once.hcl", "-head", dir + "staged.hcl", "-suite", dir + "budgets/suite.hcl"}, 1},
		// Without -check the same review exits 0.
		{"budgets-nocheck", []string{"-runs", "6", "-base", dir + "all-at-once.hcl", "-head", dir + "staged.hcl", "-suite", dir + "budgets/suite.hcl"}, 0},
		// Head does not load: its diagnostics, nothing simulated.
		{"broken-head", []string{"-base", dir + "all-at-once.hcl", "-head", dir + "broken.hcl", dir + "scenarios"}, 1},
		// Scenarios that are not there.
		{"no-scenario", []string{"-head", dir + "staged.hcl", dir + "missing.hcl", dir + "frozen"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"review"}, tc.args...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			for _, g := range []struct {
				path string
				got  []byte
			}{{dir + tc.name + ".md", stdout.Bytes()}, {dir + tc.name + ".stderr", stderr.Bytes()}} {
				if *update {
					err := os.Remove(g.path)
					if len(g.got) > 0 {
						err = os.WriteFile(g.path, g.got, 0o644)
					}
					if err != nil && !errors.Is(err, fs.ErrNotExist) {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(g.path)
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), string(g.got)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", g.path, diff)
				}
			}
		})
	}
}

// TestReviewDiagnosticsInComment checks that what stderr says about a
// policy that does not load is in the comment too, as a fenced block.
func TestReviewDiagnosticsInComment(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"review", "-root", "testdata/review", "-head", "testdata/review/broken.hcl", "testdata/review/scenarios/bad-push/scenario.hcl"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.HasPrefix(stderr.String(), "testdata/review/broken.hcl:4:19: Invalid steps") {
		t.Errorf("stderr does not start with the first diagnostic:\n%s", stderr.String())
	}
	if block := "```\n" + stderr.String() + "```\n"; !strings.Contains(stdout.String(), block) {
		t.Errorf("comment does not hold stderr as a fenced block:\n%s", stdout.String())
	}
}

func TestReviewJSON(t *testing.T) {
	args := []string{"review", "-json", "-base", "testdata/review/all-at-once.hcl", "-head", "testdata/review/staged.hcl", "testdata/review/scenarios"}
	var first []byte
	for range 2 {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if first != nil && !bytes.Equal(first, stdout.Bytes()) {
			t.Fatalf("two runs printed different JSON")
		}
		first = stdout.Bytes()
	}
	var got struct {
		Verdict   string
		Runs      int
		Scenarios []struct {
			Name             string
			BlastRadius      string `json:"blast_radius"`
			TimeToProtection string `json:"time_to_protection"`
			Base, Head       struct {
				Rollout        string
				Digest         string
				RolledBackRuns int `json:"rolled_back_runs"`
				Aggregate      map[string]struct{ P50 *float64 }
			}
			Metrics []struct {
				Metric, Kind, Change string
				Base, Head           struct{ P50 *float64 }
			}
		}
	}
	if err := json.Unmarshal(first, &got); err != nil {
		t.Fatal(err)
	}
	if got.Verdict != "trade-off" || got.Runs != 20 || len(got.Scenarios) != 2 {
		t.Fatalf("verdict %q, runs %d, %d scenarios; want trade-off, 20, 2", got.Verdict, got.Runs, len(got.Scenarios))
	}
	bad, good := got.Scenarios[0], got.Scenarios[1]
	if bad.Name != "bad-push" || bad.BlastRadius != "smaller" || bad.Base.Rollout != "all-at-once" || bad.Head.Rollout != "staged" || bad.Base.Digest == bad.Head.Digest {
		t.Errorf("bad-push: %+v", bad)
	}
	if bad.Base.RolledBackRuns != 20 || bad.Head.RolledBackRuns != 20 {
		t.Errorf("bad-push rolled back %d and %d of 20 runs, want 20 and 20", bad.Base.RolledBackRuns, bad.Head.RolledBackRuns)
	}
	if good.Name != "good-update" || good.BlastRadius != "same" || good.TimeToProtection != "slower" {
		t.Errorf("good-update: %+v", good)
	}
	for _, m := range good.Metrics {
		if p := good.Head.Aggregate[m.Metric].P50; (p == nil) != (m.Head.P50 == nil) || p != nil && *p != *m.Head.P50 {
			t.Errorf("good-update %s: head %v, aggregate p50 %v", m.Metric, m.Head.P50, p)
		}
		if strings.HasPrefix(m.Metric, "coverage_") && (m.Kind != "time_to_protection" || m.Change != "worse") {
			t.Errorf("good-update %s: kind %q change %q, want time_to_protection worse", m.Metric, m.Kind, m.Change)
		}
	}
}

func TestReviewFindsScenarios(t *testing.T) {
	rl := &reviewLoader{}
	got := append(rl.scenarioPaths("testdata/review"), rl.scenarioPaths("x.hcl")...)
	want := []string{
		filepath.FromSlash("testdata/review/scenarios/bad-push/scenario.hcl"),
		filepath.FromSlash("testdata/review/scenarios/good-update/scenario.hcl"),
		"x.hcl",
	}
	if diff := cmp.Diff(want, got); diff != "" || len(rl.diags) > 0 {
		t.Errorf("scenario paths (-want +got):\n%s\ndiagnostics: %v", diff, rl.diags)
	}
}

func TestReviewUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "no scenarios given"},
		{[]string{"-head", "testdata/review/staged.hcl"}, "no scenarios given"},
		{[]string{"testdata/review/scenarios"}, "nothing to compare"},
		{[]string{"-head", "testdata/review/staged.hcl", "-runs", "0", "testdata/review/scenarios"}, "-runs must be in"},
		{[]string{"-head", "testdata/review/staged.hcl", "-runs", "many", "testdata/review/scenarios"}, "invalid value"},
		{[]string{"-frobnicate", "testdata/review/scenarios"}, "flag provided but not defined"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"review"}, tc.args...), &stdout, &stderr); code != 2 {
			t.Errorf("review %v: exit %d, want 2", tc.args, code)
		}
		if stdout.Len() != 0 {
			t.Errorf("review %v: stdout %q, want nothing", tc.args, stdout.String())
		}
		if s := stderr.String(); !strings.Contains(s, tc.msg) || !strings.Contains(s, "Usage: ringwise review") {
			t.Errorf("review %v: stderr lacks %q and the usage:\n%s", tc.args, tc.msg, s)
		}
	}
}

func TestReviewProgress(t *testing.T) {
	var b bytes.Buffer
	p := progress(&b)
	for done := 1; done <= 300; done++ {
		p(done, 300)
	}
	lines := strings.Split(b.String(), "\r")
	// One redraw per percent, 0% to 100%.
	if len(lines) != 102 || lines[1] != "ringwise review: 1/300 runs (0%)" || lines[2] != "ringwise review: 3/300 runs (1%)" || lines[101] != "ringwise review: 300/300 runs (100%)" {
		t.Errorf("%d redraws: %q ... %q", len(lines)-1, lines[1], lines[len(lines)-1])
	}
}
