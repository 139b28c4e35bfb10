# want: eval memory budget
# timeout: 5s
# The same doubling through sprintf.
package hostile

s0 := "xxxxxxxxxxxxxxxx"
s1 := sprintf("%s%s", [s0, s0])
s2 := sprintf("%s%s", [s1, s1])
s3 := sprintf("%s%s", [s2, s2])
s4 := sprintf("%s%s", [s3, s3])
s5 := sprintf("%s%s", [s4, s4])
s6 := sprintf("%s%s", [s5, s5])
s7 := sprintf("%s%s", [s6, s6])
s8 := sprintf("%s%s", [s7, s7])
s9 := sprintf("%s%s", [s8, s8])
s10 := sprintf("%s%s", [s9, s9])
s11 := sprintf("%s%s", [s10, s10])
s12 := sprintf("%s%s", [s11, s11])
s13 := sprintf("%s%s", [s12, s12])
s14 := sprintf("%s%s", [s13, s13])
s15 := sprintf("%s%s", [s14, s14])
s16 := sprintf("%s%s", [s15, s15])
s17 := sprintf("%s%s", [s16, s16])
s18 := sprintf("%s%s", [s17, s17])
s19 := sprintf("%s%s", [s18, s18])
s20 := sprintf("%s%s", [s19, s19])
s21 := sprintf("%s%s", [s20, s20])
s22 := sprintf("%s%s", [s21, s21])
s23 := sprintf("%s%s", [s22, s22])
s24 := sprintf("%s%s", [s23, s23])
s25 := sprintf("%s%s", [s24, s24])
s26 := sprintf("%s%s", [s25, s25])
s27 := sprintf("%s%s", [s26, s26])
s28 := sprintf("%s%s", [s27, s27])
s29 := sprintf("%s%s", [s28, s28])
s30 := sprintf("%s%s", [s29, s29])

hold contains "x" if count(s30) > 0
