package hostile

# want: eval memory budget
# timeout: 5s
# object.union merges recursively: 2^40 objects.
hold contains "x" if count(object.union(a40, a40)) > 0

a0 := ["xxxxxxxxxxxxxxxx", 2]
a1 := {"l": a0, "r": a0}
a2 := {"l": a1, "r": a1}
a3 := {"l": a2, "r": a2}
a4 := {"l": a3, "r": a3}
a5 := {"l": a4, "r": a4}
a6 := {"l": a5, "r": a5}
a7 := {"l": a6, "r": a6}
a8 := {"l": a7, "r": a7}
a9 := {"l": a8, "r": a8}
a10 := {"l": a9, "r": a9}
a11 := {"l": a10, "r": a10}
a12 := {"l": a11, "r": a11}
a13 := {"l": a12, "r": a12}
a14 := {"l": a13, "r": a13}
a15 := {"l": a14, "r": a14}
a16 := {"l": a15, "r": a15}
a17 := {"l": a16, "r": a16}
a18 := {"l": a17, "r": a17}
a19 := {"l": a18, "r": a18}
a20 := {"l": a19, "r": a19}
a21 := {"l": a20, "r": a20}
a22 := {"l": a21, "r": a21}
a23 := {"l": a22, "r": a22}
a24 := {"l": a23, "r": a23}
a25 := {"l": a24, "r": a24}
a26 := {"l": a25, "r": a25}
a27 := {"l": a26, "r": a26}
a28 := {"l": a27, "r": a27}
a29 := {"l": a28, "r": a28}
a30 := {"l": a29, "r": a29}
a31 := {"l": a30, "r": a30}
a32 := {"l": a31, "r": a31}
a33 := {"l": a32, "r": a32}
a34 := {"l": a33, "r": a33}
a35 := {"l": a34, "r": a34}
a36 := {"l": a35, "r": a35}
a37 := {"l": a36, "r": a36}
a38 := {"l": a37, "r": a37}
a39 := {"l": a38, "r": a38}
a40 := {"l": a39, "r": a39}
