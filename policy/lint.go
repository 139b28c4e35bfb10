package policy

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

// selectAt records where the select block of the rule at src is, so that
// a warning about the selector points at it.
func (l *loader) selectAt(src rollout.Source, blocks hcl.Blocks) {
	for _, b := range blocks {
		if b.Type == "select" {
			l.fields[fieldKey{src, "select", 0}] = b.DefRange
			return
		}
	}
}

// warn adds rollout's warnings (rings that can never receive a host,
// overlapping tenants) as diagnostics of severity warning, which do not
// stop a policy from loading (ringwise check -strict refuses them).
func (l *loader) warn(ws []*rollout.ValidationError, summary string) {
	for _, w := range ws {
		d := l.validationDiag(w)
		d.Severity = hcl.DiagWarning
		d.Summary = summary
		l.add(hcl.Diagnostics{d})
	}
}
