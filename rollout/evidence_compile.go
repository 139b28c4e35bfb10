package rollout

import (
	"math"
	"slices"
	"unicode/utf8"
)

// Validation and digest of the evidence rules (attribution, strata), kept
// apart from compile.go so that each reads in one sitting.

// validateTriggerEvidence reports the problems of a trigger's evidence
// settings through bad(field, format, args...).
func validateTriggerEvidence(t *Trigger, bad func(field, format string, args ...any)) {
	if t.Attributed && (t.Kind == Baseline || t.Kind == SilenceBaseline) {
		bad("attribute", "a %s trigger compares with the hosts not yet updated already; attribute applies to absolute, silence and sequential triggers", t.Kind)
	}
	for i, l := range t.By {
		switch {
		case l == "":
			bad("by", "by lists an empty label")
		case slices.Contains(t.By[:i], l):
			bad("by", "by lists label %q twice", l)
		case !utf8.ValidString(l):
			bad("by", "by label %q is not valid UTF-8", l)
		}
	}
}

// validateRingEvidence reports the problems of a ring's evidence settings
// (bake.go) through bad(field, format, args...).
func validateRingEvidence(r *Ring, bad func(field, format string, args ...any)) {
	if r.MinTaken < 0 || r.MinTaken > 1 || math.IsNaN(r.MinTaken) {
		bad("min_taken", "min_taken must be a share in (0, 1], got %g", r.MinTaken)
	}
	if r.MinHostHours < 0 || math.IsNaN(r.MinHostHours) || math.IsInf(r.MinHostHours, 0) {
		bad("min_host_hours", "min_host_hours must be a number of host-hours >= 0, got %g", r.MinHostHours)
	}
	if r.NoHealthGate && r.MinHealthy > 0 {
		bad("min_healthy", "a ring without a health gate cannot also require min_healthy %g", r.MinHealthy)
	}
}

// digestRingEvidence adds a ring's evidence settings to the plan's digest,
// only when set.
func digestRingEvidence(w func(string, ...any), r *Ring) {
	if r.MinTaken != 0 || r.MinHostHours != 0 || r.NoHealthGate {
		w("evidence %g %g %t", r.MinTaken, r.MinHostHours, r.NoHealthGate)
	}
}

// digestTriggerEvidence adds a trigger's evidence settings to the plan's
// digest, only when set, so that the digest of a plan without them (and
// of every running rollout's state) is what it was before they existed.
func digestTriggerEvidence(w func(string, ...any), t *Trigger) {
	if t.Attributed {
		w("attributed")
	}
	if len(t.By) > 0 {
		w("by %q", t.By)
	}
}
