# want: compile = (unification) is not allowed in gates
# Unifying two arrays of nested values recurses once per element: a few
# million elements (or values that share structure) overflow the stack,
# which is fatal. == compares without that recursion.
package hostile

r := numbers.range(1, 2000)

a := [[i, j] | some i in r; some j in r]

b := [[i, j] | some i in r; some j in r]

hold contains "x" if a = b
