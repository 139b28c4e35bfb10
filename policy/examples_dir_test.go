package policy_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
)

// The whole examples/policies directory, Rego gates included, loads as one
// policy with the real gate loader.
func TestLoadExamplesDirectory(t *testing.T) {
	p, diags := policy.Load(os.DirFS("../examples/policies"), policy.WithGateLoader(rego.NewLoader()))
	if diags.HasErrors() {
		var b strings.Builder
		policy.WriteDiagnostics(&b, p.Files, diags)
		t.Fatalf("examples/policies does not load as one policy:\n%s", b.String())
	}
	gates := 0
	for _, pl := range p.Plans {
		gates += len(pl.Gates)
	}
	if gates == 0 {
		t.Error("examples/policies declares no gate")
	}
}
