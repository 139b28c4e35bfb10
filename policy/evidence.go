package policy

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

// The evidence attributes of triggers (attribute, by) and rings, decoded
// apart from decode.go so that each reads in one sitting.

// attributeValues are the values of a trigger's attribute.
var attributeValues = []string{"baseline", "none"}

// decodeTriggerEvidence decodes a trigger's attribute. The trigger's form
// is known; an attribute its form does not use was reported already.
func (l *loader) decodeTriggerEvidence(attrs hcl.Attributes, t *rollout.Trigger) {
	if a := attrs["attribute"]; a != nil && t.Kind != rollout.Baseline && t.Kind != rollout.SilenceBaseline {
		if v, ok := l.dec.String(a); ok {
			switch v {
			case "baseline":
				t.Attributed = true
			case "none":
			default:
				detail := fmt.Sprintf("attribute must be \"baseline\" (fire only when the hosts not yet updated are healthy; hold when they fail too) or \"none\", got %q.", v)
				if s := suggest(v, attributeValues); s != "" {
					detail += fmt.Sprintf(" Did you mean %q?", s)
				}
				l.errorf(a.Expr.Range(), "Invalid attribute", "%s", detail)
			}
		}
		l.at(t.Src, "attribute", a, true)
	}
	if a := attrs["by"]; a != nil {
		n := l.nerr
		v, ok := l.dec.StringList(a)
		if ok {
			l.dec.CheckNames(a, v, "label")
			ok = l.nerr == n
			if len(v) == 0 {
				l.errorf(a.Expr.Range(), "Invalid by", "by lists no label; omit it to compare the whole fleet, or name labels such as [\"os_build\"].")
			}
			t.By = v
		}
		l.at(t.Src, "by", a, ok)
	}
}
