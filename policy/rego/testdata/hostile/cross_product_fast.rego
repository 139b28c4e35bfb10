# want: eval deadline
# The same with the default 100ms deadline.
package hostile

r := numbers.range(1, 1000)

hold contains "x" if count([[i, j, k] | some i in r; some j in r; some k in r]) > 0
