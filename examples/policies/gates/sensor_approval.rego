# A sensor or driver update (code that runs in the kernel) enters the broad
# ring only after a person has approved it for that ring, whatever the plan
# says.
package ringwise.gates.sensor_approval

kernel_kinds := {"sensor", "driver"}

broad := "broad"

entering_broad if {
	input.proposed.ring == broad
	input.current.ring != broad
}

approved if {
	some a in input.approvals
	a.ring == broad
}

hold contains {"msg": msg} if {
	input.update.kind in kernel_kinds
	entering_broad
	not approved
	msg := sprintf("%s update %s needs an approval for ring %q before it goes broad", [input.update.kind, input.update.id, broad])
}
