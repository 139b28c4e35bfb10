package policy

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadDeepNesting: HCL's parsers recurse, and a Go stack overflow kills
// the process (recover cannot catch it). Files well under the size limit
// that nest a few hundred thousand levels deep crashed Load, Format and so
// 'ringwise check' and 'ringwise fmt'; they must be an error diagnostic.
func TestLoadDeepNesting(t *testing.T) {
	// n levels are enough to pass the bound; the crash needed about 300,000
	// (crash.hcl keeps one case of that size).
	const n = 5000
	attr := func(expr string) string { return "rollout \"x\" {\n  applies_to = " + expr + "\n}\n" }
	cases := map[string]string{
		"tuples.hcl":     attr(strings.Repeat("[", n) + strings.Repeat("]", n)),
		"parens.hcl":     attr(strings.Repeat("(", n) + "1" + strings.Repeat(")", n)),
		"not.hcl":        attr(strings.Repeat("!", n) + "true"),
		"minus.hcl":      attr(strings.Repeat("-", n) + "1"),
		"minuslines.hcl": attr("[" + strings.Repeat("-\n", n) + "1]"),
		"ternary.hcl":    attr("1" + strings.Repeat("?1:1", n/2)),
		"template.hcl":   attr(strings.Repeat(`"${`, n/3) + "1" + strings.Repeat(`}"`, n/3)),
		"directive.hcl":  attr(`"` + strings.Repeat("%{if true}", n) + strings.Repeat("%{endif}", n) + `"`),
		"blocks.hcl":     strings.Repeat("x{\n", n/2) + strings.Repeat("}\n", n/2),
		"deep.hcl.json":  `{"rollout": {"x": {"applies_to": ` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}}}`,
	}
	for name, src := range cases {
		if len(src) > DefaultMaxFileSize {
			t.Fatalf("%s: %d bytes is over the size limit; the case tests nothing", name, len(src))
		}
		_, diags := Load(fstest.MapFS{name: {Data: []byte(src)}})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "Nested too deeply") {
			t.Errorf("%s: Load: got %v, want a nesting error", name, diags)
		}
		if _, diags := Format([]byte(src), name); !diags.HasErrors() || !strings.Contains(diags.Error(), "Nested too deeply") {
			t.Errorf("%s: Format: got %v, want a nesting error", name, diags)
		}
	}
}

// TestNestingAllowsLongLists: the nesting bound counts what nests, not
// what follows in sequence: long lists and objects of negative numbers or
// conditionals stay valid input.
func TestNestingAllowsLongLists(t *testing.T) {
	items := strings.Repeat("-1, ", 5000)
	obj := strings.Repeat("a = true ? -1 : 1\n", 5000)
	body := strings.Repeat("x = -1\n", 5000)
	for name, src := range map[string]string{
		"list.hcl":   "v = [" + items + "]\n",
		"object.hcl": "v = {\n" + obj + "}\n",
		"body.hcl":   "b {\n" + body + "}\n",
		"for.hcl":    "v = {for k in [] : k => -1}\n",
		"list.json":  "[" + strings.Repeat("[1],", 5000) + "[]]",
	} {
		if d := CheckNesting([]byte(src), name, strings.HasSuffix(name, ".json")); d.HasErrors() {
			t.Errorf("%s: %v", name, d)
		}
	}
}
