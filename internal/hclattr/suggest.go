package hclattr

// Suggest returns the name in names closest to given, if any is close
// enough to be a likely typo (an edit distance below 3, as HCL's own
// "Did you mean" uses), or "".
func Suggest(given string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := editDistance(given, n); d < bestDist && n != given {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
