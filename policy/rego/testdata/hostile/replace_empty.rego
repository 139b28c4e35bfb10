# want: eval memory budget
# Replacing "" inserts the replacement at every position: quadratic.
package hostile

big := concat("", ["xxxxxxxxxxxxxxxx" | some _ in numbers.range(1, 4096)])

hold contains "x" if count(replace(big, "", big)) > 0
