# want: eval memory budget
# timeout: 5s
package hostile

a0 := [1, 2, 3, 4]
a1 := array.concat(a0, a0)
a2 := array.concat(a1, a1)
a3 := array.concat(a2, a2)
a4 := array.concat(a3, a3)
a5 := array.concat(a4, a4)
a6 := array.concat(a5, a5)
a7 := array.concat(a6, a6)
a8 := array.concat(a7, a7)
a9 := array.concat(a8, a8)
a10 := array.concat(a9, a9)
a11 := array.concat(a10, a10)
a12 := array.concat(a11, a11)
a13 := array.concat(a12, a12)
a14 := array.concat(a13, a13)
a15 := array.concat(a14, a14)
a16 := array.concat(a15, a15)
a17 := array.concat(a16, a16)
a18 := array.concat(a17, a17)
a19 := array.concat(a18, a18)
a20 := array.concat(a19, a19)
a21 := array.concat(a20, a20)
a22 := array.concat(a21, a21)
a23 := array.concat(a22, a22)
a24 := array.concat(a23, a23)
a25 := array.concat(a24, a24)
a26 := array.concat(a25, a25)
a27 := array.concat(a26, a26)
a28 := array.concat(a27, a27)
a29 := array.concat(a28, a28)
a30 := array.concat(a29, a29)

hold contains "x" if count(a30) > 0
