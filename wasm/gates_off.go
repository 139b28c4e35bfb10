//go:build !ringwise_gates

package main

import (
	"fmt"
	"io/fs"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

// Gates says whether this build evaluates Rego gates. The playground's
// first module leaves OPA out; the page loads the second module (built
// with -tags ringwise_gates) when a policy has a gate block.
const Gates = false

// gateLoader is the GateLoader of the build without OPA: every gate is an
// error that says where gates do run.
func gateLoader() (policy.GateLoader, func() map[string]*hcl.File) {
	return gatesLeftOut{}, func() map[string]*hcl.File { return nil }
}

// otherFileOK says whether a file that is not a policy file may be given
// (Rego modules and data are, where gates run).
func otherFileOK(string) bool { return false }

type gatesLeftOut struct{}

func (gatesLeftOut) LoadGate(_ fs.FS, spec policy.GateSpec) (rollout.Gate, string, hcl.Diagnostics) {
	rng := spec.Range
	return nil, "", hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Rego gates need the gates module",
		Detail: fmt.Sprintf("Gate %q needs OPA, which this build of ringwise.wasm leaves out; "+
			"the playground loads its gates module for policies with gate blocks, and the CLI runs them.", spec.Name),
		Subject: &rng,
	}}
}
