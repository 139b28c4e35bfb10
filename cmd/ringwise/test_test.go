package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// duration matches the time a test took, as the reporter prints it.
var duration = regexp.MustCompile(`\([0-9.]+[nµm]?s\)`)

// TestTestTranscript runs testdata/test.txt: ringwise test on passing,
// failing, broken and sandbox-escaping policies. Durations (which -v
// prints) are left out of the transcript.
func TestTestTranscript(t *testing.T) {
	runTranscript(t, "testdata/test.txt", func(l string) string { return duration.ReplaceAllString(l, "(DURATION)") })
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
