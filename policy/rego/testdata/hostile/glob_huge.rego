# want: eval pattern of
package hostile

p := concat("", ["*a" | some _ in numbers.range(1, 5000)])

hold contains "x" if glob.match(p, [], "aaaa")
