# want: eval regex.match: pattern of 12000 bytes
package hostile

p := concat("", ["(a|b)*" | some _ in numbers.range(1, 2000)])

hold contains "x" if regex.match(p, "ab")
