package main

import (
	"io"
	"maps"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
)

// loadPolicy loads paths as one policy, compiling gate blocks with Rego, and
// writes every diagnostic to stderr in FILE:LINE:COL form. ok is false when
// there were errors.
func loadPolicy(paths []string, stderr io.Writer) (p *policy.Policy, ok bool) {
	gates := rego.NewLoader()
	p, diags := policy.LoadPaths(paths, policy.WithGateLoader(gates))
	files := maps.Clone(p.Files)
	if files == nil {
		files = map[string]*hcl.File{}
	}
	maps.Copy(files, gates.Files())
	policy.WriteDiagnostics(stderr, files, diags)
	return p, !diags.HasErrors()
}
