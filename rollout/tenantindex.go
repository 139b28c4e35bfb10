package rollout

// The tenant index: the first tenant whose selector matches a host,
// found without trying every tenant.

import (
	"slices"
)

// tenantIndex finds the first tenant whose selector matches a host without
// trying every tenant: tenants are filed under each value of their
// selector's first label, so a fleet of thousands of tenant policies costs
// a few map lookups a host.
type tenantIndex struct {
	tenants []Tenant
	keys    []string             // first labels of the selectors
	byValue []map[string][]int32 // per key: value -> tenants, ascending
	always  int32                // first tenant with an empty selector, or -1
	scan    []int32              // tenants whose every term is negated, ascending: tried one by one
}

func newTenantIndex(tenants []Tenant) *tenantIndex {
	x := &tenantIndex{tenants: tenants, always: -1}
	for t := range tenants {
		sel := tenants[t].Select
		if len(sel) == 0 {
			if x.always < 0 {
				x.always = int32(t)
			}
			continue
		}
		// File the tenant under its first term that names values a host
		// must have; a selector of negated terms only is tried in turn.
		pos := slices.IndexFunc(sel, func(m Match) bool { return !m.Not })
		if pos < 0 {
			x.scan = append(x.scan, int32(t))
			continue
		}
		k := slices.Index(x.keys, sel[pos].Key)
		if k < 0 {
			k = len(x.keys)
			x.keys = append(x.keys, sel[pos].Key)
			x.byValue = append(x.byValue, map[string][]int32{})
		}
		for _, v := range sel[pos].Values {
			if l := x.byValue[k][v]; len(l) == 0 || l[len(l)-1] != int32(t) {
				x.byValue[k][v] = append(l, int32(t))
			}
		}
	}
	return x
}

// match returns the index of the first tenant (in plan order) whose
// selector matches labels, or -1.
func (x *tenantIndex) match(labels map[string]string) int16 {
	best := x.always
	for _, t := range x.scan {
		if best >= 0 && t >= best {
			break
		}
		if x.tenants[t].Select.Matches(labels) {
			best = t
			break
		}
	}
	for k, key := range x.keys {
		v, ok := labels[key]
		if !ok {
			continue
		}
		for _, t := range x.byValue[k][v] {
			if best >= 0 && t >= best {
				break
			}
			if x.tenants[t].Select.Matches(labels) {
				best = t
				break
			}
		}
	}
	return int16(best)
}
