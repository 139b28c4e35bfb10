# Change freeze: no rollout advances on a company holiday (a UTC day listed
# in holidays.json), except an emergency, which still goes ring by ring
# with its triggers armed.
package ringwise.gates.freeze

today := time.format([time.parse_rfc3339_ns(input.now), "UTC", "2006-01-02"])

frozen if today in data.holidays.days

# urgency is left out of the input for routine updates: test for the
# emergency, not against it (input.update.urgency != "emergency" would be
# undefined, not true, for a routine update).
emergency if input.update.urgency == "emergency"

hold contains msg if {
	frozen
	not emergency
	msg := sprintf("change freeze: %s is a company holiday", [today])
}
