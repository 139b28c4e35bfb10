package policy

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2"
)

// content decodes body against schema. HCL's native syntax suggests a
// close name for an unknown attribute or block ("Did you mean ...?"); its
// JSON syntax does not, so content adds the suggestion there.
func (l *loader) content(body hcl.Body, schema *hcl.BodySchema) *hcl.BodyContent {
	c, d := body.Content(schema)
	for _, x := range d {
		if x.Summary != "Extraneous JSON object property" {
			continue
		}
		m := jsonExtraneous.FindStringSubmatch(x.Detail)
		if m == nil {
			continue
		}
		var names []string
		for _, a := range schema.Attributes {
			names = append(names, a.Name)
		}
		for _, b := range schema.Blocks {
			names = append(names, b.Type)
		}
		if s := suggest(m[1], names); s != "" {
			x.Detail += fmt.Sprintf(" Did you mean %q?", s)
		}
	}
	l.add(d)
	return c
}

var jsonExtraneous = regexp.MustCompile(`^No argument or block type is named "(.*)"\.$`)

// suggest returns the name in names closest to given, if any is close
// enough to be a likely typo (an edit distance below 3, as HCL uses).
func suggest(given string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := editDistance(given, n); d < bestDist {
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
