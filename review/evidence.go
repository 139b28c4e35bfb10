package review

import (
	"strconv"
	"strings"

	"github.com/ringwise/ringwise/rollout"
)

// triggerEvidenceView spells out a trigger's evidence attributes as its
// HCL block writes them.
func triggerEvidenceView(t rollout.Trigger) []attr {
	attribute := attr{"attribute", "unset"}
	if t.Attributed {
		attribute.value = `"baseline"`
	}
	by := attr{"by", "unset"}
	if len(t.By) > 0 {
		q := make([]string, len(t.By))
		for i, l := range t.By {
			q[i] = strconv.Quote(l)
		}
		by.value = "[" + strings.Join(q, ", ") + "]"
	}
	return []attr{attribute, by}
}
