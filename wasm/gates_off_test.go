//go:build !ringwise_gates

package main

import (
	"strings"
	"testing"
)

// The first module leaves OPA out: a gate block is an error at the block
// that says the gates module runs it, and Check says the policy has gates
// so that the page knows to load that module.
func TestCheckGateNeedsGatesModule(t *testing.T) {
	src := `rollout "gated" {
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
  gate "freeze" {
    rego = ["gates/freeze.rego"]
  }
}
`
	r := Check(map[string]string{"gated.hcl": src})
	if r.OK || !r.Gates {
		t.Fatalf("Check = %+v, want not ok and gates", r)
	}
	if !strings.HasPrefix(r.Diagnostics, "gated.hcl:6:3: Rego gates need the gates module: ") {
		t.Errorf("diagnostics:\n%s", r.Diagnostics)
	}
	if r := Check(map[string]string{"gated.hcl": src, "gates/freeze.rego": "package x"}); r.Error == "" || !strings.Contains(r.Error, "gates/freeze.rego") {
		t.Errorf("a Rego file was accepted by the build without OPA: %+v", r)
	}
}

func TestCompareNeedsFullModule(t *testing.T) {
	if _, fail := Compare(nil, nil, "", CompareOptions{}, nil); fail == nil || !strings.Contains(fail.Error, "full module") {
		t.Errorf("Compare = %+v", fail)
	}
}
