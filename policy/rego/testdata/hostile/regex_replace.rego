# want: eval memory budget
package hostile

big := concat("", ["xxxxxxxxxxxxxxxx" | some _ in numbers.range(1, 4096)])

hold contains "x" if count(regex.replace(big, "", big)) > 0
