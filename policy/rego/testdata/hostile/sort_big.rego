# want: eval more than 250000 steps
# timeout: 5s
# Sorting is bounded by its input; building the input is bounded by the steps.
package hostile

r := numbers.range(1, 2000)

hold contains "x" if count(sort([x | some i in r; some j in r; x := i * j])) > 0
