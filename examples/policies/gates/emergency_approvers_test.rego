package ringwise.gates.emergency_approvers_test

import data.ringwise.gates.emergency_approvers as gate

emergency := {"id": "c-292", "kind": "content", "urgency": "emergency"}

test_no_approval_holds if {
	gate.hold == {"emergency update c-292 needs approvals from two different people, has 0"} with input as {"update": emergency, "approvals": null}
}

test_same_person_twice_holds if {
	count(gate.hold) == 1 with input as {"update": emergency, "approvals": [
		{"ring": "canary", "by": "ana"},
		{"ring": "broad", "by": "ana"},
	]}
}

test_two_people_pass if {
	count(gate.hold) == 0 with input as {"update": emergency, "approvals": [
		{"ring": "canary", "by": "ana"},
		{"ring": "canary", "by": "bo"},
	]}
}

test_routine_needs_no_approvers if {
	count(gate.hold) == 0 with input as {"update": {"id": "c-293", "kind": "content"}, "approvals": null}
}
