# want: eval to_number: strconv.ParseFloat
package hostile

hold contains "x" if format_int(to_number(concat("", ["1e", "1000000"])), 2) != ""
