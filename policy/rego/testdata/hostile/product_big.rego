# want: eval product: the result would exceed 400 digits
package hostile

hold contains "x" if product([12345678901234567890 | some _ in numbers.range(1, 1000)]) > 0
