package ringwise.gates.sensor_approval_test

import data.ringwise.gates.sensor_approval as gate

to_broad := {
	"update": {"id": "s-7.21", "kind": "sensor"},
	"current": {"ring": "canary", "step": 0},
	"proposed": {"ring": "broad", "step": 0},
	"approvals": null,
}

test_unapproved_sensor_holds if {
	gate.hold == {{"msg": "sensor update s-7.21 needs an approval for ring \"broad\" before it goes broad"}} with input as to_broad
}

test_approved_sensor_passes if {
	count(gate.hold) == 0 with input as object.union(to_broad, {"approvals": [{"ring": "broad", "by": "ana"}]})
}

test_approval_for_another_ring_does_not_count if {
	count(gate.hold) == 1 with input as object.union(to_broad, {"approvals": [{"ring": "canary", "by": "ana"}]})
}

test_driver_update_holds if {
	count(gate.hold) == 1 with input as object.union(to_broad, {"update": {"id": "d-3", "kind": "driver"}})
}

test_content_update_passes if {
	count(gate.hold) == 0 with input as object.union(to_broad, {"update": {"id": "c-1", "kind": "content"}})
}

test_steps_within_broad_pass if {
	count(gate.hold) == 0 with input as object.union(to_broad, {"current": {"ring": "broad", "step": 0}, "proposed": {"ring": "broad", "step": 1}})
}
