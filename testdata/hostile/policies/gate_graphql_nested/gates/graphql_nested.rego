# want: compile undefined function graphql.parse_query: removed from the gate sandbox
# A deeply nested query overflowed the stack (fatal) or ran 19x past the deadline.
package hostile

q := concat("", [concat("", ["{a" | some _ in numbers.range(1, 100000)]), concat("", ["}" | some _ in numbers.range(1, 100000)])])

hold contains "x" if graphql.parse_query(q)
