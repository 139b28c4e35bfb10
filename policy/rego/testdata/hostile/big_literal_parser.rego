# want: compile number too big
package hostile

hold contains "x" if floor(1e1000000) > 0
