# want: eval more than 250000 steps
# timeout: 5s
# A comprehension over 10^9 triples: pure evaluation, no builtin; the step count stops it.
package hostile

r := numbers.range(1, 1000)

hold contains "x" if count([[i, j, k] | some i in r; some j in r; some k in r]) > 0
