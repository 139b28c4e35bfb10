# want: eval json.unmarshal
# timeout: 5s
# 20,000 nested arrays from a string: Go's decoder stops at 10,000.
package hostile

s := concat("", [concat("", ["[" | some _ in numbers.range(1, 20000)]), concat("", ["]" | some _ in numbers.range(1, 20000)])])

hold contains "x" if json.unmarshal(s)
