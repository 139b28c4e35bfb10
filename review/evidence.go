package review

import "github.com/ringwise/ringwise/rollout"

// triggerEvidenceView spells out a trigger's evidence attributes as its
// HCL block writes them.
func triggerEvidenceView(t rollout.Trigger) []attr {
	attribute := attr{"attribute", "unset"}
	if t.Attributed {
		attribute.value = `"baseline"`
	}
	return []attr{attribute}
}
