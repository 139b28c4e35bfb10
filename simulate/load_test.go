package simulate

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

// goodScenario is a small valid scenario; edit replaces old with new in it.
const goodScenario = `scenario "s" {
  policy  = "p.hcl"
  horizon = "2h"
  fleet {
    cohort "c" {
      hosts    = 100
      check_in = "10m"
    }
  }
  update {
    id      = "u1"
    kind    = "content"
    release = "2026-01-01T00:00:00Z"
  }
}
`

func edit(old, new string) string {
	if !strings.Contains(goodScenario, old) {
		panic("edit: " + old + " not in goodScenario")
	}
	return strings.Replace(goodScenario, old, new, 1)
}

// brief renders the position and summary of each diagnostic, and the
// detail when want asks for it (a substring).
func brief(diags hcl.Diagnostics, want []string) []string {
	var out []string
	for i, d := range diags {
		s := "-"
		if d.Subject != nil {
			s = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		s += " " + d.Summary
		if i < len(want) {
			if _, detail, ok := strings.Cut(want[i], " | "); ok {
				if strings.Contains(d.Detail, detail) {
					s += " | " + detail
				} else {
					s += " | " + d.Detail
				}
			}
		}
		out = append(out, s)
	}
	return out
}

func TestParseScenarioErrors(t *testing.T) {
	if _, _, diags := ParseScenario([]byte(goodScenario), "s.hcl"); diags.HasErrors() {
		t.Fatalf("goodScenario: %v", diags)
	}
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "for expression",
			src:  edit(`hosts    = 100`, `hosts    = [for a in [1] : [for b in [1] : 0]]`),
			want: []string{"s.hcl:6:18 For expression not allowed | write the list or object out"},
		},
		{
			name: "template in a label value",
			src:  edit(`check_in = "10m"`, `check_in = "10m"`+"\n      labels = { os = \"${upper(\"x\")}\" }"),
			want: []string{"s.hcl:8:23 Template not allowed"},
		},
		{
			name: "function call",
			src:  edit(`policy  = "p.hcl"`, `policy  = file("/etc/passwd")`),
			want: []string{"s.hcl:2:13 Function call not allowed"},
		},
		{
			// Issue 7: reported at 1:1.
			name: "invalid UTF-8 on its line",
			src:  edit(`id      = "u1"`, "id      = \"u\xff1\""),
			want: []string{"s.hcl:11:17 Invalid UTF-8 | byte 0xff at offset"},
		},
		{
			name: "durations too long, with the limit",
			src:  edit(`horizon = "2h"`, `horizon = "99999999999h"`),
			want: []string{`s.hcl:3:13 Invalid duration | duration "99999999999h" is too long: the longest a duration can be is 2562047h`},
		},
		{
			name: "horizon over a century",
			src:  edit(`horizon = "2h"`, `horizon = "1000000h"`),
			want: []string{`s.hcl:3:13 Invalid duration | horizon is too long: at most 876000h (100 years), got 1000000h.`},
		},
		{
			name: "fault selects a misspelt value",
			src:  withFault(`select { os = "windos" }`),
			want: []string{`s.hcl:18:5 Fault selects no host | no host has os = ["windos"] (did you mean "windows"?)`},
		},
		{
			name: "fault selects a misspelt label",
			src:  withFault(`select { OS = "windows" }`),
			want: []string{`s.hcl:18:5 Fault selects no host | no cohort has a label "OS" (did you mean "os"?)`},
		},
		{
			name: "fault selects a tenant past the count",
			src:  withFault(`select { tenant = "t11" }`),
			want: []string{`s.hcl:18:5 Fault selects no host | no host has tenant = ["t11"]`},
		},
		{
			name: "fault selects labels no cohort has together",
			src:  withFault("select {\n      os     = \"windows\"\n      tenant = [\"t1\", \"t2\"]\n      arch   = \"arm64\"\n    }"),
			want: []string{`s.hcl:18:5 Fault selects no host | no host has arch = ["arm64"] (did you mean "amd64"?)`},
		},
		{
			name: "fault stages out of order",
			src:  withFault("select { os = \"windows\" }\n    stage {\n      from        = \"2h\"\n      probability = 0.5\n    }\n    stage {\n      from        = \"1h\"\n      probability = 1\n    }"),
			want: []string{`s.hcl:23:5 Fault stages out of order | Each stage must start after the one before.`},
		},
		{
			name: "fault stage probability out of range",
			src:  withFault("select { os = \"windows\" }\n    stage {\n      from        = \"1h\"\n      probability = 2\n    }"),
			want: []string{`s.hcl:21:21 Invalid probability | probability must be in [0, 1], got 2.`},
		},
		{
			name: "flapping without recovery",
			src:  withFault("select { os = \"windows\" }\n    flap_every = \"20m\""),
			want: []string{`s.hcl:19:5 Flapping needs recovery | set recover_after too.`},
		},
		{
			name: "herd without recovery",
			src:  withFault("select { os = \"windows\" }\n    herd = 100"),
			want: []string{`s.hcl:19:5 Herd needs recovery | set recover_after or restart too.`},
		},
		{
			name: "strikes_from negative",
			src:  withFault("select { os = \"windows\" }\n    strikes_from = \"-1h\""),
			want: []string{`s.hcl:19:20 Invalid duration | strikes_from must not be negative.`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, _, diags := ParseScenario([]byte(tc.src), "s.hcl")
			if sc != nil {
				t.Error("a scenario with errors")
			}
			if diff := cmp.Diff(tc.want, brief(diags, tc.want)); diff != "" {
				t.Errorf("(-want +got):\n%s\nall: %v", diff, diags)
			}
		})
	}
}

var cmpEmpty = cmpopts.EquateEmpty()

func mapPolicy(src string) fstest.MapFS { return fstest.MapFS{"p.hcl": {Data: []byte(src)}} }

// withFault adds labels and tenants to goodScenario's cohort and a crash
// fault with the given select block (at line 18).
func withFault(sel string) string {
	return strings.Replace(edit(`check_in = "10m"`, `check_in = "10m"
      labels   = { os = "windows", arch = "amd64" }
      tenants  = 10`), "\n}\n", `
  fault "f" {
    `+sel+`
    mode = "crash"
  }
}
`, 1)
}

func TestParseScenarioFaultMatches(t *testing.T) {
	for _, sel := range []string{`select { os = "windows" }`, `select { tenant = ["t10", "x"] }`, "select {\n      os   = [\"linux\", \"windows\"]\n      arch = \"amd64\"\n    }"} {
		if _, _, diags := ParseScenario([]byte(withFault(sel)), "s.hcl"); diags.HasErrors() {
			t.Errorf("%s: %v", sel, diags)
		}
	}
}
