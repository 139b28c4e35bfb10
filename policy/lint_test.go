package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

const lintPolicy = `rollout "r" {
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "1h"
  }
  ring "windows" {
    select {
      os      = { not = "linux" }
      channel = "internal"
    }
    steps = [100]
    bake  = "1h"
  }
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
  ring "late" {
    select { os = "linux" }
    steps = [100]
    bake  = "1h"
  }
}

tenant "a" {
  select { tenant = ["t1", "t2"] }
}

tenant "b" {
  select { tenant = { not = ["t1"] } }
}

tenant "c" {
  select { tenant = "t9" }
}
`

// TestLoadWarnings: negated selectors load; rings that can never receive a
// host and overlapping tenants are warnings at the select block, and the
// policy still loads.
func TestLoadWarnings(t *testing.T) {
	p, diags := Load(mapFS(map[string]string{"p.hcl": lintPolicy}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []diag{
		{"p.hcl:8:5", "Unreachable ring", `ring "canary" before it selects every host`},
		{"p.hcl:20:5", "Unreachable ring", `ring "all" before it has no selector`},
		{"p.hcl:31:3", "Overlapping tenants", `Overlaps tenant "a"`},
		{"p.hcl:35:3", "Overlapping tenants", `This tenant never applies: every host its selector matches (tenant=t9) matches tenant "b" first`},
	}
	if d := cmp.Diff(want, summarize(diags, want)); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s\nall: %v", d, diags)
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagWarning {
			t.Errorf("not a warning: %v", d)
		}
	}
	if got, want := p.Plans[0].Rings[1].Select, (rollout.Selector{{Key: "os", Values: []string{"linux"}, Not: true}, {Key: "channel", Values: []string{"internal"}}}); !cmp.Equal(want, got) {
		t.Errorf("select: %v, want %v", got, want)
	}
}

func TestNegatedSelectorErrors(t *testing.T) {
	ring := func(sel string) map[string]string {
		return map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    select { os = " + sel + " }\n    steps = [100]\n    bake = \"1h\"\n  }\n}\n"}
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []diag
	}{
		{"misspelt not", ring(`{ nott = "linux" }`), []diag{{"p.hcl:3:19", "Invalid selector", `Did you mean "not"?`}}},
		{"two keys", ring(`{ not = "linux", is = "x" }`), []diag{{"p.hcl:3:19", "Invalid selector", "{ not = ... }"}}},
		{"empty not", ring(`{ not = [] }`), []diag{{"p.hcl:3:27", "Invalid selector", "lists no values"}}},
		{"not a string", ring(`{ not = 3 }`), []diag{{"p.hcl:3:27", "Incorrect attribute value type", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Load(mapFS(tc.files))
			if d := cmp.Diff(tc.want, summarize(diags, tc.want)); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall: %v", d, diags)
			}
		})
	}
}

func TestDeferKinds(t *testing.T) {
	src := "tenant \"h\" {\n  defer       = \"48h\"\n  defer_kinds = { sensor = \"72h\", content = \"0s\" }\n}\n" + "rollout \"r\" {" + validRing + "}\n"
	p, diags := Load(mapFS(map[string]string{"p.hcl": src}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []rollout.KindDefer{{Kind: "content", Defer: 0}, {Kind: "sensor", Defer: 72 * time.Hour}}
	if d := cmp.Diff(want, p.Tenants[0].DeferKinds); d != "" {
		t.Errorf("defer_kinds (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		val  string
		want diag
	}{
		{`{ sensor = "-1h" }`, diag{"p.hcl:3:17", "Invalid defer_kinds", `The deferral of kind "sensor" must not be negative`}},
		{`{ sensor = "soon" }`, diag{"p.hcl:3:17", "Invalid duration", `defer_kinds "sensor"`}},
		{`["72h"]`, diag{"p.hcl:3:17", "Incorrect attribute value type", ""}},
	} {
		src := "tenant \"h\" {\n  defer       = \"48h\"\n  defer_kinds = " + tc.val + "\n}\n" + "rollout \"r\" {" + validRing + "}\n"
		_, diags := Load(mapFS(map[string]string{"p.hcl": src}))
		if d := cmp.Diff([]diag{tc.want}, summarize(diags, []diag{tc.want})); d != "" {
			t.Errorf("%s (-want +got):\n%s\nall: %v", tc.val, d, diags)
		}
	}
}
