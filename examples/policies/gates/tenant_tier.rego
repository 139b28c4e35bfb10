# Tenants of the "critical" tier (hospitals, emergency services) sit in
# their own rings, listed in tiers.yaml. Before a rollout enters one of
# them, the update must have run for a while elsewhere, and a single crash
# among updated hosts halts the rollout for a person to look at, well below
# any trigger's threshold.
package ringwise.gates.tenant_tier

critical := data.tiers.critical

entering_critical if {
	input.proposed.ring in critical.rings
	input.current.ring != input.proposed.ring
}

age_hours := (time.parse_rfc3339_ns(input.now) - time.parse_rfc3339_ns(input.state.started)) / 1e9 / 3600

hold contains msg if {
	entering_critical
	age_hours < critical.min_age_hours
	msg := sprintf("ring %q is critical tier: the update must run %d hours first, has run %d", [input.proposed.ring, critical.min_age_hours, floor(age_hours)])
}

crashes := object.get(input.observation.updated, ["signals", "crash", "count"], 0)

halt contains msg if {
	entering_critical
	crashes > critical.max_crashes
	msg := sprintf("ring %q is critical tier: %d crashes among updated hosts (critical tier allows %d)", [input.proposed.ring, crashes, critical.max_crashes])
}
