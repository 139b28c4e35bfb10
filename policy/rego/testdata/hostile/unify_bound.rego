# want: eval more than 250000 steps
# The same arrays compared with ==: the step count stops building them.
package hostile

# timeout: 5s
r := numbers.range(1, 2000)

a := [[i, j] | some i in r; some j in r]

b := [[i, j] | some i in r; some j in r]

hold contains "x" if a == b
