# want: eval bits.lsh: shifting by 1099511627776
# Mocking a bounded builtin with another must not reach OPA's unwrapped one.
package hostile

hold contains "x" if {
	bits.and(1, 1099511627776) > 0 with bits.and as bits.lsh
}
