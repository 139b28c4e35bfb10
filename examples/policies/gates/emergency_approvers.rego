# An emergency update bakes for a fraction of the usual time, so it moves
# only on the word of two different people (four eyes). Approvals by the
# same person for several rings count once.
package ringwise.gates.emergency_approvers

approvers := {a.by | some a in input.approvals; a.by != ""}

hold contains msg if {
	input.update.urgency == "emergency"
	count(approvers) < 2
	print("emergency", input.update.id, "approved by", approvers)
	msg := sprintf("emergency update %s needs approvals from two different people, has %d", [input.update.id, count(approvers)])
}
