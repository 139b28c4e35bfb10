package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// duration matches the time a test took, as the reporter prints it.
var duration = regexp.MustCompile(`\([0-9.]+[nµm]?s\)`)

// TestTestTranscript runs testdata/test.txt: ringwise test on passing,
// failing, broken and sandbox-escaping policies. Durations (which -v
// prints) are left out of the transcript.
func TestTestTranscript(t *testing.T) {
	const path = "testdata/test.txt"
	header, steps := parseTranscript(t, path)
	var rewritten bytes.Buffer
	for _, l := range header {
		fmt.Fprintln(&rewritten, l)
	}
	for _, s := range steps {
		got := transcribe(s.args)
		for i, l := range got {
			got[i] = duration.ReplaceAllString(l, "(DURATION)")
		}
		if !*update {
			if diff := cmp.Diff(s.output, got); diff != "" {
				t.Errorf("ringwise %s (-want +got):\n%s", strings.Join(s.args, " "), diff)
			}
		}
		for _, l := range s.comment {
			fmt.Fprintln(&rewritten, l)
		}
		fmt.Fprintln(&rewritten, strings.TrimSpace("$ ringwise "+strings.Join(s.args, " ")))
		for _, l := range got {
			fmt.Fprintln(&rewritten, l)
		}
		fmt.Fprintln(&rewritten)
	}
	if *update {
		if err := os.WriteFile(path, rewritten.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// -v prints every test, passing or not, with its print() output.
func TestTestVerbose(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"test", "-v", "testdata/rego/failing"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	out := stdout.String()
	for _, want := range []string{
		"data.gate_test.test_frozen_holds: PASS",
		"data.gate_test.test_thawed_holds: FAIL",
		"hello from test_prints",
		"PASS: 3/4",
		"FAIL: 1/4",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
