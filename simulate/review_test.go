package simulate

import (
	"strings"
	"testing"
)

// TestParseScenarioDeepNesting: a scenario nested a few hundred thousand
// levels deep overflowed the HCL parser's stack (a fatal error, not a
// panic); it must be a diagnostic like any other bad input.
func TestParseScenarioDeepNesting(t *testing.T) {
	src := "horizon = " + strings.Repeat("[", 300000) + strings.Repeat("]", 300000) + "\n"
	if len(src) > MaxScenarioSize {
		t.Fatalf("%d bytes is over MaxScenarioSize; the case tests nothing", len(src))
	}
	_, _, diags := ParseScenario([]byte(src), "deep.hcl")
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Nested too deeply") {
		t.Errorf("got %v, want a nesting error", diags)
	}
}
