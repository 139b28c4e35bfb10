# want: eval mul: number
# Squaring 20 times: 2^20-digit numbers.
package hostile

x0 := 12345678901234567890
x1 := x0 * x0
x2 := x1 * x1
x3 := x2 * x2
x4 := x3 * x3
x5 := x4 * x4
x6 := x5 * x5
x7 := x6 * x6
x8 := x7 * x7
x9 := x8 * x8
x10 := x9 * x9
x11 := x10 * x10
x12 := x11 * x11
x13 := x12 * x12
x14 := x13 * x13
x15 := x14 * x14
x16 := x15 * x15
x17 := x16 * x16
x18 := x17 * x17
x19 := x18 * x18
x20 := x19 * x19

hold contains "x" if x20 > 0
