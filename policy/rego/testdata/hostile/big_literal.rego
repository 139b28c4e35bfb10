# want: compile out of the gate sandbox's range
# floor(1e500) would be a 500-digit number from four characters; OPA's parser
# refuses larger exponents itself.
package hostile

hold contains "x" if floor(1e500) > 0
