package hostile

# want: eval deadline
# Values built by comprehensions share structure without repeating themselves in the source: comparing two of them walks 40^5 leaves inside one operation that does not check the deadline. Evaluate returns at the deadline; the gate refuses to start again until that operation ends.
hold contains "x" if a5 == b5

r := numbers.range(1, 40)

a0 := ["xxxxxxxxxxxxxxxx", 2]
a1 := [a0 | some _ in r]
a2 := [a1 | some _ in r]
a3 := [a2 | some _ in r]
a4 := [a3 | some _ in r]
a5 := [a4 | some _ in r]
b0 := ["xxxxxxxxxxxxxxxx", 2]
b1 := [b0 | some _ in r]
b2 := [b1 | some _ in r]
b3 := [b2 | some _ in r]
b4 := [b3 | some _ in r]
b5 := [b4 | some _ in r]
