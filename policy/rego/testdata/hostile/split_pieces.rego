# want: eval memory budget
# timeout: 5s
# Splitting 4 MiB into single bytes: 4M values.
package hostile

s1 := concat("", ["xxxxxxxxxxxxxxxx" | some _ in numbers.range(1, 4096)])
big := concat("", [s1 | some _ in numbers.range(1, 64)])

hold contains "x" if count(split(big, "")) > 0
