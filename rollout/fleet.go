package rollout

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
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
// Build one with NewFleet (or NewFleetFrom for millions of hosts) when the
// rollout starts or the inventory changes. A Fleet is immutable and safe
// for concurrent use; the one thing it remembers between calls, each
// tenant's current window span (windowcache.go), is replaced atomically
// and never changes an answer. It takes about 16 bytes per host plus the
// ID index (20 to 40 bytes per host and a copy of the IDs; none for an
// Inventory that does its own Lookup).
type Fleet struct {
	plan    *Plan
	rollout string
	lookup  func(id string) (int, bool)
	hosts   []hostEntry
	steps   []steps
	rings   []ringIndex
	strata  []string // stratum keys, by stratum number
	// byStrata lists, per trigger with By, the strata keys present in
	// the fleet, sorted (strata.go).
	byStrata [][]string
	windows  []windowMemo // by tenant: the last span of its windows (windowcache.go)
}

type hostEntry struct {
	stratum int32 // cover stratum, -1 when the ring has no Cover
	ring    int16 // -1: no ring selects the host
	tenant  int16 // tenant policy, -1 none
}

// steps records, per host, the first step that exposes it (first) and the
// first whose share includes it, tenant cap aside (byRank). They live apart
// from hostEntry so that building the index writes a small array.
type steps struct{ first, byRank uint8 }

type ringIndex struct {
	size    int
	order   []int32 // host positions by first exposing step, position order within
	offsets []int   // order[offsets[j]:offsets[j+1]] are first exposed at step j
	strata  []int32 // cover strata present in the ring, in exposure order
}

// Inventory describes a fleet by position, so that fleets of millions of
// hosts need not be materialised as []Host. Labels may return the same map
// for many hosts (one per cohort, say); the maps must not change while
// NewFleetFrom runs.
//
// An Inventory may also implement
//
//	AppendID(dst []byte, i int) []byte  // append host i's ID, to avoid allocating it
//	Lookup(id string) (int, bool)        // position of a host ID, for Fleet.Eligible
//
// Without Lookup, NewFleetFrom builds a map of host IDs.
type Inventory interface {
	Len() int
	ID(i int) string
	Labels(i int) map[string]string
}

type hostSlice []Host

func (h hostSlice) Len() int                       { return len(h) }
func (h hostSlice) ID(i int) string                { return h[i].ID }
func (h hostSlice) Labels(i int) map[string]string { return h[i].Labels }

// NewFleet indexes hosts for the rollout rolloutID under plan. Host IDs must
// be unique and non-empty.
func NewFleet(plan *Plan, rolloutID string, hosts []Host) (*Fleet, error) {
	return NewFleetFrom(plan, rolloutID, hostSlice(hosts))
}

// labelInfo caches what a labels map decides, for inventories that share
// maps between hosts.
type labelInfo struct {
	ptr    uintptr
	ring   int16
	tenant int16
	group  int32
	strat  int32
}

// NewFleetFrom indexes the hosts of inv for the rollout rolloutID under
// plan. Host IDs must be unique and non-empty.
func NewFleetFrom(plan *Plan, rolloutID string, inv Inventory) (*Fleet, error) {
	if plan == nil || plan.digest == "" {
		return nil, errors.New("rollout: NewFleet needs a plan from Compile")
	}
	if rolloutID == "" {
		return nil, errors.New("rollout: empty rollout ID")
	}
	if err := textError("rollout ID", rolloutID); err != nil {
		return nil, err // every State of the rollout records it
	}
	n := inv.Len()
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("rollout: %d hosts is more than a fleet holds", n)
	}
	f := &Fleet{
		plan:    plan,
		rollout: rolloutID,
		hosts:   make([]hostEntry, n),
		steps:   make([]steps, n),
		rings:   make([]ringIndex, len(plan.Rings)),
		windows: make([]windowMemo, len(plan.Tenants)),
	}
	if l, ok := inv.(interface{ Lookup(string) (int, bool) }); ok {
		f.lookup = l.Lookup
	} else {
		index, err := newIDIndex(rolloutID, inv)
		if err != nil {
			return nil, err
		}
		f.lookup = index.lookup
	}
	appendID, _ := inv.(interface{ AppendID([]byte, int) []byte })

	// Pass 1: ring, tenant, tenant group and stratum of every host.
	groups := make([]map[string]int32, len(plan.Rings))
	groupSizes := make([][]int32, len(plan.Rings))
	sizes := make([]int, len(plan.Rings))
	capped := slices.ContainsFunc(plan.Rings, func(r Ring) bool { return r.TenantCap > 0 })
	var groupOf []int32
	if capped {
		groupOf = make([]int32, n)
	}
	strata := map[string]int32{}
	tenants := newTenantIndex(plan.Tenants)
	var cache labelInfo
	bySets := newTriggerStrataSets(plan)
	for i := range n {
		labels := inv.Labels(i)
		ptr := reflect.ValueOf(labels).Pointer()
		if ptr == 0 || ptr != cache.ptr {
			cache = labelInfo{ptr: ptr, ring: -1, tenant: -1, strat: -1}
			if bySets != nil {
				f.indexTriggerStrata(bySets, labels)
			}
			for r := range plan.Rings {
				if plan.Rings[r].Select.Matches(labels) {
					cache.ring = int16(r)
					break
				}
			}
			cache.tenant = tenants.match(labels)
			if r := cache.ring; r >= 0 {
				if groups[r] == nil {
					groups[r] = map[string]int32{}
				}
				g, ok := groups[r][labels[TenantLabel]]
				if !ok {
					g = int32(len(groupSizes[r]))
					groups[r][labels[TenantLabel]] = g
					groupSizes[r] = append(groupSizes[r], 0)
				}
				cache.group = g
				if cover := plan.Rings[r].Cover; len(cover) > 0 {
					key := stratumKey(cover, labels)
					s, ok := strata[key]
					if !ok {
						s = int32(len(f.strata))
						strata[key] = s
						f.strata = append(f.strata, key)
					}
					cache.strat = s
				}
			}
		}
		f.hosts[i] = hostEntry{ring: cache.ring, tenant: cache.tenant, stratum: cache.strat}
		if cache.ring >= 0 {
			sizes[cache.ring]++
			groupSizes[cache.ring][cache.group]++
			if capped {
				groupOf[i] = cache.group
			}
		}
	}

	f.finishTriggerStrata(bySets)

	// Sort keys: the high bits of each host's hash, its position in the low
	// bits.
	posBits := bits.Len(uint(n))
	keys := make([][]uint64, len(plan.Rings))
	for r, size := range sizes {
		keys[r] = make([]uint64, 0, size)
	}
	var idBuf []byte
	for i := range n {
		r := f.hosts[i].ring
		if r < 0 {
			continue
		}
		var h uint64
		if appendID != nil {
			idBuf = appendID.AppendID(idBuf[:0], i)
			h = rankBytes(rolloutID, idBuf)
		} else {
			h = rank(rolloutID, inv.ID(i))
		}
		keys[r] = append(keys[r], h>>posBits<<posBits|uint64(i))
	}

	// Pass 2, per ring: order by key, put one host of each cover stratum
	// first, then give each host the first step that exposes it.
	var scratch []uint64
	var grank []int32
	posMask := uint64(1)<<posBits - 1
	cursors := make([][]int, len(plan.Rings))

	for r := range plan.Rings {
		ring := &plan.Rings[r]
		ri := &f.rings[r]
		k := keys[r]
		keys[r] = nil
		scratch = radixSort(k, scratch, posBits)
		m := len(k)
		ri.size = m
		order := make([]int32, m)
		for x, key := range k {
			order[x] = int32(key & posMask)
		}
		if len(ring.Cover) > 0 {
			seen := map[int32]bool{}
			firsts := order[:0:0]
			rest := make([]int32, 0, m)
			for _, i := range order {
				s := f.hosts[i].stratum
				if !seen[s] {
					seen[s] = true
					firsts = append(firsts, i)
					ri.strata = append(ri.strata, s)
				} else {
					rest = append(rest, i)
				}
			}
			order = append(firsts, rest...)
		}
		quotas := ring.quotas(m)
		steps := len(quotas)
		var caps []int32
		if ring.TenantCap > 0 {
			caps = make([]int32, len(groupSizes[r]))
			for g, size := range groupSizes[r] {
				caps[g] = int32(share(ring.TenantCap, int(size)))
			}
			grank = slices.Grow(grank[:0], len(caps))[:len(caps)]
			clear(grank)
		}
		counts := make([]int, f.plan.Steps(r)+1)
		j := 0
		for pos, i := range order {
			for j < steps && pos >= quotas[j] {
				j++
			}
			e := &f.steps[i]
			e.byRank, e.first = uint8(j), uint8(j)
			if caps != nil {
				g := groupOf[i]
				if grank[g] >= caps[g] {
					e.first = uint8(steps) // only the release step lifts the cap
				}
				if e.first < uint8(steps) {
					grank[g]++
				}
			}
			counts[e.first+1]++
		}
		for x := 1; x < len(counts); x++ {
			counts[x] += counts[x-1]
		}
		ri.offsets = slices.Clone(counts)
		ri.order = order // rank order no longer needed: filled below
		cursors[r] = counts
	}
	// Every ring's hosts by first exposing step, in position order: one
	// forward pass over the positions.
	for i := range n {
		if r := f.hosts[i].ring; r >= 0 {
			c := &cursors[r][f.steps[i].first]
			f.rings[r].order[*c] = int32(i)
			*c++
		}
	}
	return f, nil
}

// Plan returns the plan the fleet was built for.
func (f *Fleet) Plan() *Plan { return f.plan }

// RolloutID returns the rollout the fleet ranks hosts for.
func (f *Fleet) RolloutID() string { return f.rollout }

// Len returns the number of hosts in the fleet.
func (f *Fleet) Len() int { return len(f.hosts) }

// Lookup returns the position of host id in the inventory.
func (f *Fleet) Lookup(id string) (int, bool) { return f.lookup(id) }

// RingOf returns the index of the ring host i (a position) belongs to, or
// -1 when no ring selects it.
func (f *Fleet) RingOf(i int) int { return int(f.hosts[i].ring) }

// RingSize returns the number of hosts in ring i.
func (f *Fleet) RingSize(i int) int { return f.rings[i].size }

// Stratum returns the cover stratum key of host i (a position), "" when its
// ring has no Cover; observations count healthy hosts by it in
// Cohort.Strata.
func (f *Fleet) Stratum(i int) string {
	if s := f.hosts[i].stratum; s >= 0 {
		return f.strata[s]
	}
	return ""
}

// Strata returns the cover strata of ring i, in exposure order.
func (f *Fleet) Strata(i int) []string {
	out := make([]string, len(f.rings[i].strata))
	for k, s := range f.rings[i].strata {
		out[k] = f.strata[s]
	}
	return out
}

// Exposed returns the positions of the hosts of ring that step exposes
// first (the capped remainder for a tenant-capped ring's release step),
// in ascending order, so that a caller walks its own per-host arrays
// forwards. Callers must not modify the slice. A simulator or a push
// server offers the update to these hosts when the rollout advances.
func (f *Fleet) Exposed(ring, step int) []int32 {
	ri := &f.rings[ring]
	if step < 0 || step+1 >= len(ri.offsets) {
		return nil
	}
	return ri.order[ri.offsets[step]:ri.offsets[step+1]]
}

// Target returns how many hosts of ring i step j exposes (step -1: none),
// tenant caps included.
func (f *Fleet) Target(i, j int) int {
	ri := &f.rings[i]
	if j < 0 {
		return 0
	}
	return ri.offsets[min(j+1, len(ri.offsets)-1)]
}
