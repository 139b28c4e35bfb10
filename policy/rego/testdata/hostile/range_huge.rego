# want: eval memory budget
# An array of 10^12 numbers.
package hostile

hold contains "x" if count(numbers.range(0, 1000000000000)) > 0
