package ringwise.gates.freeze_test

import data.ringwise.gates.freeze

update := {"id": "c-291", "kind": "content"}

test_holiday_holds if {
	freeze.hold == {"change freeze: 2026-12-25 is a company holiday"} with input as {"now": "2026-12-25T09:00:00Z", "update": update}
}

test_holiday_in_other_zone_is_utc_day if {
	# 23:30 in New York on the 24th is already the 25th in UTC.
	count(freeze.hold) == 1 with input as {"now": "2026-12-24T23:30:00-05:00", "update": update}
}

test_emergency_passes if {
	count(freeze.hold) == 0 with input as {"now": "2026-12-25T09:00:00Z", "update": object.union(update, {"urgency": "emergency"})}
}

test_workday_passes if {
	count(freeze.hold) == 0 with input as {"now": "2026-12-22T09:00:00Z", "update": update}
}

test_holidays_come_from_data if {
	count(freeze.hold) == 1 with input as {"now": "2026-07-14T12:00:00Z", "update": update}
		with data.holidays.days as ["2026-07-14"]
}
