//go:build ringwise_gates

package main

import (
	"path"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
)

// Gates says whether this build evaluates Rego gates: this one links OPA
// (policy/rego) and is the playground's second, lazily loaded module.
const Gates = true

// gateLoader is OPA's, as in the CLI; files returns the Rego and data files
// it read, to render their diagnostics.
func gateLoader() (policy.GateLoader, func() map[string]*hcl.File) {
	l := rego.NewLoader()
	return l, l.Files
}

// otherFileOK says whether a file that is not a policy file may be given:
// Rego modules and their JSON or YAML data.
func otherFileOK(name string) bool {
	switch path.Ext(name) {
	case ".rego", ".json", ".yaml", ".yml":
		return true
	}
	return false
}
