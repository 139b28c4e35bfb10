package simulate

import (
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ringwise/ringwise/rollout"
)

// Inventory is a scenario's fleet as a rollout.Inventory: host i of cohort
// c has the ID "c-i" and shares its labels map with the hosts of its cohort
// and tenant. It does not depend on the seed, so one rollout.Fleet built
// from it serves every run. It is immutable and safe for concurrent use.
type Inventory struct {
	cohorts []invCohort
	offsets []int // offsets[c] is the position of cohort c's first host; len = cohorts+1
}

type invCohort struct {
	name    string
	tenants []int // cumulative host counts by tenant (positions within the cohort); nil: one group
	labels  []map[string]string
}

// NewInventory lays out the scenario's cohorts, in order, as one inventory.
func NewInventory(sc *Scenario) *Inventory {
	inv := &Inventory{offsets: make([]int, 1, len(sc.Cohorts)+1)}
	n := 0
	for _, co := range sc.Cohorts {
		ic := invCohort{name: co.Name}
		var names []string
		var sizes []int
		switch {
		case co.TenantCount > 0:
			sizes = zipfSizes(co.Hosts, co.TenantCount, co.TenantSkew)
			names = make([]string, len(sizes))
			for t := range names {
				names[t] = "t" + strconv.Itoa(t+1)
			}
		case len(co.Tenants) > 0:
			names = co.Tenants
			sizes = make([]int, len(names))
			for t := range sizes {
				sizes[t] = co.Hosts*(t+1)/len(names) - co.Hosts*t/len(names)
			}
		}
		if names == nil {
			ic.labels = []map[string]string{maps.Clone(co.Labels)}
		} else {
			cum := 0
			for t, name := range names {
				if sizes[t] == 0 {
					continue
				}
				l := maps.Clone(co.Labels)
				if l == nil {
					l = map[string]string{}
				}
				l[rollout.TenantLabel] = name
				ic.labels = append(ic.labels, l)
				cum += sizes[t]
				ic.tenants = append(ic.tenants, cum)
			}
		}
		inv.cohorts = append(inv.cohorts, ic)
		n += co.Hosts
		inv.offsets = append(inv.offsets, n)
	}
	return inv
}

// zipfSizes splits n hosts among k tenants with sizes proportional to
// 1/rank^s, every tenant at least one host when n >= k.
func zipfSizes(n, k int, s float64) []int {
	k = min(k, n)
	w := make([]float64, k)
	var sum float64
	for t := range w {
		w[t] = 1 / math.Pow(float64(t+1), s)
		sum += w[t]
	}
	sizes := make([]int, k)
	left := n - k
	assigned := 0
	for t := range sizes {
		sizes[t] = 1 + int(float64(left)*w[t]/sum)
		assigned += sizes[t]
	}
	for t := 0; assigned < n; t = (t + 1) % k {
		sizes[t]++
		assigned++
	}
	return sizes
}

// Len returns the number of hosts.
func (inv *Inventory) Len() int { return inv.offsets[len(inv.offsets)-1] }

// Cohort returns the cohort index of host i and its index within it.
func (inv *Inventory) Cohort(i int) (c, j int) {
	c = inv.cohortOf(i)
	return c, i - inv.offsets[c]
}

func (inv *Inventory) cohortOf(i int) int {
	if len(inv.offsets) <= 17 {
		c := 0
		for i >= inv.offsets[c+1] {
			c++
		}
		return c
	}
	return sort.SearchInts(inv.offsets[1:], i+1)
}

// ID returns host i's ID, "COHORT-N".
func (inv *Inventory) ID(i int) string { return string(inv.AppendID(nil, i)) }

// AppendID appends host i's ID to dst.
func (inv *Inventory) AppendID(dst []byte, i int) []byte {
	c, j := inv.Cohort(i)
	dst = append(dst, inv.cohorts[c].name...)
	dst = append(dst, '-')
	return strconv.AppendInt(dst, int64(j), 10)
}

// Lookup returns the position of a host ID.
func (inv *Inventory) Lookup(id string) (int, bool) {
	k := strings.LastIndexByte(id, '-')
	if k < 0 {
		return 0, false
	}
	j, err := strconv.Atoi(id[k+1:])
	if err != nil || j < 0 || strconv.Itoa(j) != id[k+1:] {
		return 0, false
	}
	for c := range inv.cohorts {
		if inv.cohorts[c].name == id[:k] {
			if j >= inv.offsets[c+1]-inv.offsets[c] {
				return 0, false
			}
			return inv.offsets[c] + j, true
		}
	}
	return 0, false
}

// Labels returns host i's labels; hosts of one cohort and tenant share the
// map, which must not be modified.
func (inv *Inventory) Labels(i int) map[string]string {
	c, j := inv.Cohort(i)
	ic := &inv.cohorts[c]
	if ic.tenants == nil {
		return ic.labels[0]
	}
	return ic.labels[sort.SearchInts(ic.tenants, j+1)]
}
