# want: eval time.add_date
package hostile

hold contains "x" if time.add_date(0, 999999999999, 0, 0) > 0
