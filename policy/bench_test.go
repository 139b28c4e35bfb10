package policy

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// tenantsPolicy returns a policy of one rollout and n tenant blocks, each
// with a selector, a deferral, an opt-out and a maintenance window in one
// of a handful of time zones: the shape of a fleet manager's tenant file.
func tenantsPolicy(n int) fstest.MapFS {
	zones := []string{"Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC", "Europe/Berlin", "America/Los_Angeles"}
	var b strings.Builder
	b.WriteString(`rollout "content" {
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
`)
	for i := range n {
		fmt.Fprintf(&b, `
tenant "t%d" {
  select { tenant = "customer-%d" }
  defer   = "%dh"
  opt_out = ["driver"]
  maintenance {
    days  = ["sat", "sun"]
    start = "%02d:00"
    hours = 4
    zone  = %q
  }
}
`, i, i, i%72, i%24, zones[i%len(zones)])
	}
	return fstest.MapFS{"tenants.hcl": {Data: []byte(b.String())}}
}

// BenchmarkLoadTenants loads a policy of 100, 1,000 and 10,000 tenants:
// the cost should grow linearly (issue 15: 10,000 in at most 150 ms and
// 50 MB allocated).
func BenchmarkLoadTenants(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		fsys := tenantsPolicy(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(fsys["tenants.hcl"].Data)))
			for b.Loop() {
				p, diags := Load(fsys, WithMaxFileSize(64<<20))
				if diags.HasErrors() || len(p.Tenants) != n {
					b.Fatalf("%d tenants: %v", len(p.Tenants), diags)
				}
			}
		})
	}
}

// BenchmarkParseTenantsFloor is HCL's own parse of the 10,000-tenant
// policy, without decoding anything: the floor under Load's cost, which
// the loader cannot go below while it parses with hclsyntax.
func BenchmarkParseTenantsFloor(b *testing.B) {
	src := tenantsPolicy(10000)["tenants.hcl"].Data
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, diags := hclsyntax.ParseConfig(src, "tenants.hcl", hcl.InitialPos); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
