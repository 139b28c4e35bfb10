package gate_test

import data.gate

test_frozen_holds if {
	gate.hold == {"frozen"} with input as {"frozen": true}
}

test_thawed_passes if {
	count(gate.hold) == 0 with input as {"frozen": false}
}

# Wrong on purpose: a thawed rollout does not hold.
test_thawed_holds if {
	gate.hold == {"frozen"} with input as {"frozen": false}
}

test_prints if {
	print("hello from", "test_prints")
	true
}
