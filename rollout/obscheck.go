package rollout

// checkObservation adds a reason for every count of the observation that
// no fleet can produce (see observationProblems); the rollout holds on
// them, as for a missing signal.
func (d *decider) checkObservation() {
	for _, p := range observationProblems(&d.obs, d.st.Acked) {
		d.reasons = append(d.reasons, Reason{Rule: engineRule, Message: p})
	}
}
