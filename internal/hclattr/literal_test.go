package hclattr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// brief is the part of a diagnostic the tests compare.
func brief(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		pos := "-"
		if d.Subject != nil {
			pos = fmt.Sprintf("%d:%d", d.Subject.Start.Line, d.Subject.Start.Column)
		}
		out = append(out, pos+" "+d.Summary)
	}
	return out
}

func TestCheckLiterals(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  string // "" when allowed
	}{
		{`"crash"`, ""},
		{`42`, ""},
		{`-1.5`, ""},
		{`true`, ""},
		{`null`, ""},
		{`[1, 10, 100]`, ""},
		{`{ os = "windows", "os_build" = "19045" }`, ""},
		{"<<EOT\nplain\nEOT", ""},
		{`"$${not} %%{interpolated}"`, ""},
		{`[[["deep"]]]`, ""},
		{`[for a in [1] : a]`, "1:5 For expression not allowed"},
		{`[1, [for a in [1] : a]]`, "1:9 For expression not allowed"},
		{`"a${b}c"`, "1:9 Template not allowed"},
		{`"%{for x in y}x%{endfor}"`, "1:6 Template not allowed"},
		{`"${1}"`, "1:5 Template not allowed"},
		{`1 + 1`, "1:5 Operator not allowed"},
		{`!true`, "1:5 Operator not allowed"},
		{`-(1)`, "1:5 Operator not allowed"},
		{`true ? 1 : 2`, "1:5 Conditional not allowed"},
		{`file("/etc/passwd")`, "1:5 Function call not allowed"},
		{`crash`, "1:5 Reference not allowed"},
		{`var.x`, "1:5 Reference not allowed"},
		{`[1][0]`, "1:5 Index or splat expression not allowed"},
		{`[{a = 1}][*].a`, "1:5 Index or splat expression not allowed"},
		{`(1)`, "1:5 Parentheses not allowed"},
		{`{ (k) = 1 }`, "1:7 Computed key not allowed"},
		{`{ "${k}" = 1 }`, "1:7 Template not allowed"},
		{`{ a = [1 * 2] }`, "1:12 Operator not allowed"},
	} {
		src := "v = " + tc.value + "\n"
		f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tc.value, diags)
		}
		var want []string
		if tc.want != "" {
			want = []string{tc.want}
		}
		if diff := cmp.Diff(want, brief(CheckLiterals(f.Body))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.value, diff)
		}
	}
}

// TestCheckLiteralsNested: attributes of nested blocks are checked, in
// source order, one diagnostic per attribute.
func TestCheckLiteralsNested(t *testing.T) {
	src := `
rollout "r" {
  b = 1 + 1
  ring "a" {
    select { os = windows }
    steps = [for x in [1] : x]
  }
  a = upper("x")
}
`
	f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []string{"3:7 Operator not allowed", "8:7 Function call not allowed", "6:13 For expression not allowed", "5:19 Reference not allowed"}
	if diff := cmp.Diff(want, brief(CheckLiterals(f.Body))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCheckJSONLiterals(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`{"a": "plain", "b": [1, "x"], "c": {"d": true}}`, nil},
		{`{"a": "$${x} %%{y}"}`, nil},
		{`{"a": "${[for a in [1] : a]}"}`, []string{"1:7 Template not allowed"}},
		{"{\n  \"a\": [\"ok\",\n    \"%{if true}x%{endif}\"]}", []string{"3:5 Template not allowed"}},
		{`{"a": "\u0024{x}"}`, []string{"1:7 Template not allowed"}},
		{`{"é": "${x}"}`, []string{"1:7 Template not allowed"}},
		{`{"${k}": 1}`, []string{"1:2 Template not allowed"}},
		{`{"a": "\"${x}\""}`, []string{"1:7 Template not allowed"}},
		{`{"a": "unterminated`, nil},
	} {
		if diff := cmp.Diff(tc.want, brief(CheckJSONLiterals([]byte(tc.src), "t.hcl.json"))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.src, diff)
		}
	}
}

// TestCheckLiteralsBomb: the check costs time linear in the file, however
// much the expression would compute.
func TestCheckLiteralsBomb(t *testing.T) {
	list := "[" + strings.Repeat("0,", 999) + "0]"
	src := fmt.Sprintf("L = %s\nsteps = [for a in %s : [for b in %s : [for c in %s : 0]]]\n", list, list, list, list)
	f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if d := CheckLiterals(f.Body); len(d) != 1 {
			t.Fatalf("got %v", d)
		}
	})
	if allocs > 50 {
		t.Errorf("CheckLiterals allocates %v times on the bomb; it must not evaluate it", allocs)
	}
}
