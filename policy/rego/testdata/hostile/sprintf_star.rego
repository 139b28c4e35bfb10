# want: eval sprintf: widths taken from arguments
package hostile

hold contains sprintf("%*d", [999999999, 1]) if true
