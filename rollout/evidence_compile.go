package rollout

// Validation and digest of the evidence rules (attribution, strata), kept
// apart from compile.go so that each reads in one sitting.

// validateTriggerEvidence reports the problems of a trigger's evidence
// settings through bad(field, format, args...).
func validateTriggerEvidence(t *Trigger, bad func(field, format string, args ...any)) {
	if t.Attributed && (t.Kind == Baseline || t.Kind == SilenceBaseline) {
		bad("attribute", "a %s trigger compares with the hosts not yet updated already; attribute applies to absolute, silence and sequential triggers", t.Kind)
	}
}

// digestTriggerEvidence adds a trigger's evidence settings to the plan's
// digest, only when set, so that the digest of a plan without them (and
// of every running rollout's state) is what it was before they existed.
func digestTriggerEvidence(w func(string, ...any), t *Trigger) {
	if t.Attributed {
		w("attributed")
	}
}
