package policy

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
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
// enough to be a likely typo (see hclattr.Suggest).
func suggest(given string, names []string) string { return hclattr.Suggest(given, names) }
