package policy

import (
	"bytes"
	"encoding/json"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Format returns src in canonical form. Native syntax is formatted with
// hclwrite (aligned equals signs, two-space indents); a file whose name ends
// in .json is HCL's JSON form and is re-indented with two spaces. src must
// parse: when it does not, Format returns nil and the parse diagnostics.
// Format is idempotent: Format(Format(x)) equals Format(x).
//
// Formatting changes layout only, never meaning: the plans loaded from a
// formatted file have the same digests as before.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if d := CheckNesting(src, filename, isJSON(filename)); d.HasErrors() {
		return nil, d
	}
	if isJSON(filename) {
		if _, d := hcljson.Parse(src, filename); d.HasErrors() {
			return nil, d
		}
		var b bytes.Buffer
		if err := json.Indent(&b, bytes.TrimSpace(src), "", "  "); err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid JSON", Detail: err.Error()}}
		}
		b.WriteByte('\n')
		return b.Bytes(), nil
	}
	if _, d := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); d.HasErrors() {
		return nil, pointUnclosed(src, filename, d)
	}
	// hclwrite.Format is a token-level pass; run it to a fixed point so
	// that formatting twice never changes anything.
	out := hclwrite.Format(src)
	for range 3 {
		next := hclwrite.Format(out)
		if bytes.Equal(next, out) {
			break
		}
		out = next
	}
	return out, nil
}
