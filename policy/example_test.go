package policy_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
)

func ExampleLoad() {
	fsys := fstest.MapFS{
		"content.hcl": {Data: []byte(`
rollout "content" {
  applies_to = ["content"]

  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "30m"
  }
  ring "broad" {
    steps      = [1, 10, 50, 100]
    bake       = "2h"
    tenant_cap = 50
  }
}
`)},
	}
	p, diags := policy.Load(fsys)
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	plan, _ := p.Select("content", "")
	for _, r := range plan.Rings {
		fmt.Printf("%s: select %s, steps %v, bake %s (%s)\n", r.Name, r.Select, r.Steps, r.Bake, r.Src)
	}
	// Output:
	// canary: select channel=internal, steps [100], bake 30m0s (content.hcl:5:3)
	// broad: select *, steps [1 10 50 100], bake 2h0m0s (content.hcl:10:3)
}

// Diagnostics carry source ranges; render them with HCL's text writer over
// the policy's files.
func ExampleLoad_error() {
	fsys := fstest.MapFS{
		"content.hcl": {Data: []byte(`rollout "content" {
  ring "broad" {
    steps = [1, 50, 10, 100]
    bake  = "2h"
  }
}
`)},
	}
	p, diags := policy.Load(fsys)

	// One line per problem, FILE:LINE:COL first, for editors and CI logs:
	policy.WriteDiagnostics(os.Stdout, p.Files, diags)
	fmt.Println()

	// HCL's own format, with color off and no wrapping:
	w := hcl.NewDiagnosticTextWriter(os.Stdout, p.Files, 0, false)
	w.WriteDiagnostics(diags)
	// Output:
	// content.hcl:3:21: Invalid steps: steps must be strictly increasing: 10 follows 50.
	//         steps = [1, 50, 10, 100]
	//                         ^^
	//
	// Error: Invalid steps
	//
	//   on content.hcl line 3, in rollout "content":
	//    3:     steps = [1, 50, 10, 100]
	//
	// steps must be strictly increasing: 10 follows 50.
}

func ExampleFormat() {
	out, diags := policy.Format([]byte("urgency \"emergency\" {\nbake_scale=0.1\n}\n"), "x.hcl")
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	fmt.Print(string(out))
	// Output:
	// urgency "emergency" {
	//   bake_scale = 0.1
	// }
}

// Match says which rule picked the plan, so that a misspelt kind, which
// falls back to the rollout for every kind, does not go unnoticed.
func ExamplePolicy_Match() {
	pol, diags := policy.Load(fstest.MapFS{"p.hcl": {Data: []byte(`
rollout "content" {
  applies_to = ["content"]
  ring "all" {
    steps = [10, 100]
    bake  = "1h"
  }
}
rollout "default" {
  ring "all" {
    steps = [1, 10, 100]
    bake  = "4h"
  }
}
`)}})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	for _, kind := range []string{"content", "driver", "contnet"} {
		m, err := pol.Match(kind, "")
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: rollout %q, %s\n", kind, m.Plan.Name, m.Rule)
		if m.Note != "" {
			fmt.Println("  note:", m.Note)
		}
	}
	// Output:
	// content: rollout "content", by kind
	// driver: rollout "default", by default
	//   note: no rollout lists kind "driver" in applies_to, so rollout "default", which applies to every kind, was picked
	// contnet: rollout "default", by default
	//   note: no rollout lists kind "contnet" in applies_to, so rollout "default", which applies to every kind, was picked (did you mean kind "content"?)
}
