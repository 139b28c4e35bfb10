package ringwise.gates.freeze

today := time.format([time.parse_rfc3339_ns(input.now), "UTC", "2006-01-02"])

hold contains msg if {
	today in data.holidays.days
	msg := sprintf("change freeze: %s is a company holiday", [today])
}
