package simulate

import (
	"fmt"
	"math"

	"github.com/hashicorp/hcl/v2"
)

// What a simulation holds in memory, in bytes, measured on the simulator
// (TestMemoryEstimate keeps these honest): the inventory and the rollout's
// fleet index per host, each run's host states per host, and per tenant
// group of a cohort its labels and its entries in the fleet index.
const (
	bytesPerHost       = 48
	bytesPerHostPerRun = 32
	bytesPerTenant     = 700
	bytesFixed         = 4 << 20
)

// Option configures New.
type Option func(*options)

type options struct {
	budget int64
}

// WithMemoryBudget sets the most memory, in bytes, that New lets a
// scenario need (DefaultMemoryBudget by default; see
// Scenario.MemoryEstimate): a scenario that needs more is refused before
// anything is allocated, and MonteCarlo runs fewer runs at once when each
// concurrent run would not fit. n <= 0 restores the default.
func WithMemoryBudget(n int64) Option {
	return func(o *options) {
		if n <= 0 {
			n = DefaultMemoryBudget
		}
		o.budget = n
	}
}

func buildOptions(opts []Option) options {
	o := options{budget: DefaultMemoryBudget}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// tenantGroups returns how many tenant groups the inventory builds for co
// (one when the cohort has no tenants).
func tenantGroups(co Cohort) int64 {
	switch {
	case co.TenantCount > 0:
		return int64(max(1, min(co.TenantCount, co.Hosts)))
	case len(co.Tenants) > 0:
		return int64(max(1, min(len(co.Tenants), co.Hosts)))
	}
	return 1
}

// MemoryEstimate returns about how many bytes simulating sc takes with
// runs runs at once (at least one): the inventory and fleet index New
// builds, which every run shares, and each concurrent run's host states.
// It is computed from the scenario alone, before anything is allocated,
// and errs on the high side.
func (sc *Scenario) MemoryEstimate(runs int) int64 {
	runs = max(runs, 1)
	total := float64(bytesFixed)
	for _, co := range sc.Cohorts {
		h := float64(max(co.Hosts, 0))
		total += h*(bytesPerHost+float64(runs)*bytesPerHostPerRun) + float64(tenantGroups(co))*bytesPerTenant
	}
	return int64(min(total, math.MaxInt64/2))
}

// CheckMemory reports an error when simulating sc with runs runs at once
// would need more than budget bytes (see MemoryEstimate), located at the
// attribute that costs the most: the tenants or the hosts of the largest
// cohort. Call it before New to place the error in the scenario file; New
// makes the same check with one run and returns it as an error.
func (sc *Scenario) CheckMemory(budget int64, runs int) hcl.Diagnostics {
	need := sc.MemoryEstimate(runs)
	if need <= budget {
		return nil
	}
	runs = max(runs, 1)
	var worst Cohort
	var worstCost float64
	var byTenants bool
	for _, co := range sc.Cohorts {
		hosts := float64(co.Hosts) * (bytesPerHost + float64(runs)*bytesPerHostPerRun)
		tenants := float64(tenantGroups(co)) * bytesPerTenant
		if hosts > worstCost {
			worst, worstCost, byTenants = co, hosts, false
		}
		if tenants > worstCost {
			worst, worstCost, byTenants = co, tenants, true
		}
	}
	perRun := ""
	if runs > 1 {
		perRun = fmt.Sprintf(" with %d runs at once", runs)
	}
	detail := fmt.Sprintf("Simulating this scenario%s needs about %s, more than the memory budget of %s", perRun, fmtBytes(need), fmtBytes(budget))
	rng := worst.hostsRange
	if byTenants {
		rng = worst.tenantsRange
		detail += fmt.Sprintf(": cohort %q's %d tenants take about %s (%d bytes each). Use fewer tenants", worst.Name, tenantGroups(worst), fmtBytes(int64(worstCost)), bytesPerTenant)
	} else {
		detail += fmt.Sprintf(": cohort %q's %d hosts take about %s (%d bytes each, and %d more per concurrent run). Use fewer hosts (Scenario.Scaled runs a fleet at reduced scale)", worst.Name, worst.Hosts, fmtBytes(int64(worstCost)), bytesPerHost, bytesPerHostPerRun)
	}
	detail += ", or raise the budget (simulate.WithMemoryBudget; ringwise simulate -memory)."
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Scenario too large for the memory budget", Detail: detail}
	if rng.Filename != "" {
		d.Subject = &rng
	} else {
		d.Subject = sc.attrRange(hcl.Range{})
	}
	return hcl.Diagnostics{d}
}

// fmtBytes renders n in binary units: "3.2 GiB".
func fmtBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTP"[i])
}
