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

// noHealthGate decodes min_healthy = 0: the explicit "no health gate" of
// a schedule modelled for comparison. It loads, with a warning that
// `ringwise check` shows.
func (l *loader) noHealthGate(a *hcl.Attribute, r *rollout.Ring) {
	r.NoHealthGate = true
	rng := a.Expr.Range()
	l.report(&hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "No health gate",
		Detail: fmt.Sprintf("min_healthy = 0: the bakes of ring %q end on time alone, without a single healthy report (and without the default min_taken); "+
			"use it only to simulate a schedule that has no health gate, for comparison. Remove it (default %g) to keep the gate.", r.Name, rollout.DefaultMinHealthy),
		Subject: &rng,
	})
}

// decodeRingEvidence decodes a ring's min_taken and min_host_hours.
func (l *loader) decodeRingEvidence(attrs hcl.Attributes, r *rollout.Ring) {
	if a := attrs["min_taken"]; a != nil {
		v, ok := l.dec.Number(a)
		l.at(r.Src, "min_taken", a, ok)
		if ok && v == 0 {
			// Zero means the default in a rollout.Ring; written in a
			// policy it is out of range like any other value outside.
			l.errorf(a.Expr.Range(), "Invalid min_taken", "min_taken must be a share in (0, 1], got 0; omit it for the default %g.", rollout.DefaultMinTaken)
		}
		r.MinTaken = v
	}
	if a := attrs["min_host_hours"]; a != nil {
		v, ok := l.dec.Number(a)
		l.at(r.Src, "min_host_hours", a, ok)
		r.MinHostHours = v
	}
}
