package rollout

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Host is a machine of the fleet: an ID and its labels. The library never
// owns the inventory; the caller supplies it.
type Host struct {
	ID     string
	Labels map[string]string
}

// Fleet is a plan applied to an inventory for one rollout: it assigns every
// host to its ring, tenant policy and cover stratum, and ranks the hosts of
// each ring by a stable hash of (rollout ID, host ID). The rank decides who
// is exposed at each step, exactly: at a step of p% of a ring of n hosts at
// most floor(p*n/100) hosts are exposed, and with a tenant cap of c% at most
// floor(c*m/100) of a tenant's m hosts in the ring, whatever m is.
//
// A host exposed at one step stays exposed at every later step, and two
// rollouts with different IDs rank hosts independently.
//
// Build one with NewFleet when the rollout starts or the inventory changes.
// A Fleet is immutable and safe for concurrent use.
type Fleet struct {
	plan    *Plan
	rollout string
	index   map[string]int32
	hosts   []hostEntry
	rings   []ringIndex
	strata  []string // stratum keys, by stratum number
}

type hostEntry struct {
	ring    int32 // -1: no ring selects the host
	tenant  int32 // tenant policy, -1 none
	rank    int32 // position in the ring's exposure order
	group   int32 // tenant-label group within the ring
	grank   int32 // position within the group, in exposure order
	stratum int32 // cover stratum, -1 when the ring has no Cover
}

type ringIndex struct {
	size   int
	quotas []int   // per step: hosts exposed
	caps   []int32 // per group: hosts a tenant cap lets through
	strata []int32 // cover strata present in the ring
}

// NewFleet indexes hosts for the rollout rolloutID under plan. Host IDs must
// be unique and non-empty.
func NewFleet(plan *Plan, rolloutID string, hosts []Host) (*Fleet, error) {
	if plan == nil || plan.digest == "" {
		return nil, errors.New("rollout: NewFleet needs a plan from Compile")
	}
	if rolloutID == "" {
		return nil, errors.New("rollout: empty rollout ID")
	}
	f := &Fleet{
		plan:    plan,
		rollout: rolloutID,
		index:   make(map[string]int32, len(hosts)),
		hosts:   make([]hostEntry, len(hosts)),
		rings:   make([]ringIndex, len(plan.Rings)),
	}
	members := make([][]int32, len(plan.Rings))
	hashes := make([]uint64, len(hosts))
	for i, h := range hosts {
		if h.ID == "" {
			return nil, fmt.Errorf("rollout: host %d has an empty ID", i)
		}
		if _, dup := f.index[h.ID]; dup {
			return nil, fmt.Errorf("rollout: duplicate host ID %q", h.ID)
		}
		f.index[h.ID] = int32(i)
		e := hostEntry{ring: -1, tenant: -1, stratum: -1}
		for r := range plan.Rings {
			if plan.Rings[r].Select.Matches(h.Labels) {
				e.ring = int32(r)
				members[r] = append(members[r], int32(i))
				break
			}
		}
		for t := range plan.Tenants {
			if plan.Tenants[t].Select.Matches(h.Labels) {
				e.tenant = int32(t)
				break
			}
		}
		f.hosts[i] = e
		hashes[i] = rank(rolloutID, h.ID)
	}
	strata := map[string]int32{}
	for r := range plan.Rings {
		ring := &plan.Rings[r]
		m := members[r]
		slices.SortFunc(m, func(a, b int32) int {
			return cmp.Or(cmp.Compare(hashes[a], hashes[b]), strings.Compare(hosts[a].ID, hosts[b].ID))
		})
		ri := &f.rings[r]
		ri.size = len(m)
		if len(ring.Cover) > 0 {
			// One representative of each stratum goes first (in hash order),
			// so that the smallest canary step that can cover every stratum
			// does.
			var first, rest []int32
			seen := map[int32]bool{}
			for _, i := range m {
				key := stratumKey(ring.Cover, hosts[i].Labels)
				s, ok := strata[key]
				if !ok {
					s = int32(len(f.strata))
					strata[key] = s
					f.strata = append(f.strata, key)
				}
				f.hosts[i].stratum = s
				if !seen[s] {
					seen[s] = true
					first = append(first, i)
					ri.strata = append(ri.strata, s)
				} else {
					rest = append(rest, i)
				}
			}
			m = append(first, rest...)
		}
		groups := map[string]int32{}
		var sizes []int32
		for pos, i := range m {
			e := &f.hosts[i]
			e.rank = int32(pos)
			tenant := hosts[i].Labels[TenantLabel]
			g, ok := groups[tenant]
			if !ok {
				g = int32(len(sizes))
				groups[tenant] = g
				sizes = append(sizes, 0)
			}
			e.group = g
			e.grank = sizes[g]
			sizes[g]++
		}
		ri.quotas = make([]int, len(ring.Steps))
		for j, p := range ring.Steps {
			ri.quotas[j] = share(p, len(m))
		}
		if ring.TenantCap > 0 {
			ri.caps = make([]int32, len(sizes))
			for g, n := range sizes {
				ri.caps[g] = int32(share(ring.TenantCap, int(n)))
			}
		}
	}
	return f, nil
}

// share is floor(p% of n), exact for p = 100.
func share(p float64, n int) int {
	if p >= 100 {
		return n
	}
	return int(math.Floor(p * float64(n) / 100))
}

// stratumKey renders a host's values of the cover labels, e.g.
// "os_build=19045,arch=amd64".
func stratumKey(cover []string, labels map[string]string) string {
	var b strings.Builder
	for i, k := range cover {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(labels[k])
	}
	return b.String()
}

// rank is the stable hash that orders hosts for a rollout: FNV-1a over
// the rollout ID, a separator and the host ID, finished with the
// splitmix64 mixer so that nearby IDs spread evenly.
func rank(rolloutID, hostID string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(rolloutID); i++ {
		h = (h ^ uint64(rolloutID[i])) * prime
	}
	h = (h ^ 0xff) * prime
	for i := 0; i < len(hostID); i++ {
		h = (h ^ uint64(hostID[i])) * prime
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// Plan returns the plan the fleet was built for.
func (f *Fleet) Plan() *Plan { return f.plan }

// RolloutID returns the rollout the fleet ranks hosts for.
func (f *Fleet) RolloutID() string { return f.rollout }

// Len returns the number of hosts in the fleet.
func (f *Fleet) Len() int { return len(f.hosts) }

// RingOf returns the index of the ring host id belongs to, or -1 when no
// ring selects it or the fleet does not know it.
func (f *Fleet) RingOf(id string) int {
	i, ok := f.index[id]
	if !ok {
		return -1
	}
	return int(f.hosts[i].ring)
}

// RingSize returns the number of hosts in ring i.
func (f *Fleet) RingSize(i int) int { return f.rings[i].size }

// Stratum returns the cover stratum key of host id ("" when its ring has
// no Cover); observations count healthy hosts by it in Cohort.Strata.
func (f *Fleet) Stratum(id string) string {
	i, ok := f.index[id]
	if !ok || f.hosts[i].stratum < 0 {
		return ""
	}
	return f.strata[f.hosts[i].stratum]
}

// Strata returns the cover strata of ring i, in exposure order.
func (f *Fleet) Strata(i int) []string {
	out := make([]string, len(f.rings[i].strata))
	for k, s := range f.rings[i].strata {
		out[k] = f.strata[s]
	}
	return out
}

// Target returns how many hosts of ring i step j exposes (step -1: none),
// tenant caps included.
func (f *Fleet) Target(i, j int) int {
	if j < 0 {
		return 0
	}
	n := 0
	for k := range f.hosts {
		if int(f.hosts[k].ring) == i && f.exposedAt(&f.hosts[k], j) {
			n++
		}
	}
	return n
}

// exposedAt reports whether host e is selected at step j of its own ring.
func (f *Fleet) exposedAt(e *hostEntry, j int) bool {
	ri := &f.rings[e.ring]
	if j < 0 {
		return false
	}
	if j >= len(ri.quotas) { // release step: the cap has lifted
		return true
	}
	if int(e.rank) >= ri.quotas[j] {
		return false
	}
	return ri.caps == nil || e.grank < ri.caps[e.group]
}
