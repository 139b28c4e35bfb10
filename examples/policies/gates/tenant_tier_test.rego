package ringwise.gates.tenant_tier_test

import data.ringwise.gates.tenant_tier as gate

base := {
	"now": "2026-11-27T09:00:00Z",
	"update": {"id": "s-7.21", "kind": "sensor"},
	"current": {"ring": "broad", "step": 3},
	"proposed": {"ring": "critical", "step": 0},
	"state": {"phase": "running", "started": "2026-11-24T09:00:00Z"},
	"observation": {"updated": {"hosts": 900, "healthy": 900, "silent": 0, "signals": {"crash": {"count": 0}}}},
}

test_old_enough_and_clean_passes if {
	count(gate.hold) == 0 with input as base
	count(gate.halt) == 0 with input as base
}

test_too_young_holds if {
	gate.hold == {"ring \"critical\" is critical tier: the update must run 72 hours first, has run 48"} with input as object.union(base, {"now": "2026-11-26T09:00:00Z"})
}

test_one_crash_halts if {
	count(gate.halt) == 1 with input as json.patch(base, [{"op": "replace", "path": "/observation/updated/signals/crash/count", "value": 1}])
}

test_other_rings_unaffected if {
	young_with_crash := json.patch(base, [
		{"op": "replace", "path": "/proposed/ring", "value": "broad"},
		{"op": "replace", "path": "/now", "value": "2026-11-24T10:00:00Z"},
		{"op": "replace", "path": "/observation/updated/signals/crash/count", "value": 3},
	])
	count(gate.hold) == 0 with input as young_with_crash
	count(gate.halt) == 0 with input as young_with_crash
}
