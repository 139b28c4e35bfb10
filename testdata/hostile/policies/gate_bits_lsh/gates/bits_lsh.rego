# want: eval bits.lsh: shifting by 1099511627776 gives a number beyond 400 digits
# A shift of 2^40 bits: 128 GiB for one number (was a fatal out-of-memory).
package hostile

hold contains "x" if bits.lsh(1, 1099511627776) > 0
