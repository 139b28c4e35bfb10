# want: compile undefined function crypto.x509.parse_and_verify_certificates: removed from the gate sandbox
# Verifying certificates reads the wall clock: the same input decided differently on different days.
package hostile

hold contains "expired" if {
	[valid, _] := crypto.x509.parse_and_verify_certificates(input.update.id)
	not valid
}
