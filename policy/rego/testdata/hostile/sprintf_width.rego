# want: eval sprintf: width or precision 999999999 is over 1000
# A format width allocates that many bytes.
package hostile

hold contains sprintf("%0999999999d", [1]) if true
