package ringwise.gates.freeze_test

import data.ringwise.gates.freeze

test_holiday_holds if {
	freeze.hold == {"change freeze: 2026-12-25 is a company holiday"} with input as {"now": "2026-12-25T09:00:00Z"}
		with data.holidays.days as ["2026-12-25"]
}

test_workday_passes if {
	count(freeze.hold) == 0 with input as {"now": "2026-12-23T09:00:00Z"}
		with data.holidays.days as ["2026-12-25"]
}
