# want: compile names starting with __ringwise are reserved
# The wrappers' names cannot be reached around.
package hostile

hold contains "x" if __ringwise.bits.lsh(1, 1099511627776) > 0
