package policy

import (
	"io/fs"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

// GateLoader compiles the gate blocks of a policy into rollout.Gates. Package
// policy/rego implements it with OPA; policy itself knows nothing of Rego, so
// that programs which do not use gates do not link OPA.
//
// A GateLoader must not read outside fsys: paths in a GateSpec are relative
// to the directory of the file that declares the gate.
type GateLoader interface {
	// LoadGate compiles one gate. digest identifies the gate's content (its
	// modules and data) and becomes part of the plan's digest. Diagnostics
	// should point into the gate's own files or, for problems with the
	// block itself, at spec.Range or spec.Attrs.
	LoadGate(fsys fs.FS, spec GateSpec) (g rollout.Gate, digest string, diags hcl.Diagnostics)
}

// GateSpec is a decoded gate block.
type GateSpec struct {
	Name    string
	Rego    []string      // `rego`: paths of Rego modules, relative to the policy directory
	Data    []string      // `data`: paths of JSON or YAML data documents
	Query   string        // `query`: optional, "" means the loader's default
	Timeout time.Duration // `timeout`: optional, 0 means the loader's default
	Range   hcl.Range     // the block's DefRange
	// Attrs holds where each attribute was written (its expression range),
	// keyed by attribute name, for diagnostics that point at rego = ... etc.
	Attrs map[string]hcl.Range
}
