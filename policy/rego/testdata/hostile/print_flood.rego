# want: hold flood
# timeout: 5s
# 30,000 print lines: 100 are kept.
package hostile

hold contains "flood" if {
	every i in numbers.range(1, 30000) {
		print(i)
	}
}
