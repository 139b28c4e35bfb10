package rollout

import (
	"fmt"
	"math/bits"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestRadixSort: keys built as NewFleetFrom builds them (a hash in the high
// bits, the position in the low bits, in position order) come out of
// radixSort in the order slices.Sort gives.
func TestRadixSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 5000).Draw(t, "n")
		posBits := bits.Len(uint(n))
		// Few distinct hashes make ties, broken by position.
		hashes := rapid.SliceOfN(rapid.Uint64(), 1, 64).Draw(t, "hashes")
		keys := make([]uint64, n)
		for i := range keys {
			h := hashes[rapid.IntRange(0, len(hashes)-1).Draw(t, "h")]
			keys[i] = h>>posBits<<posBits | uint64(i)
		}
		want := slices.Sorted(slices.Values(keys))
		radixSort(keys, nil, posBits)
		if !slices.Equal(want, keys) {
			t.Fatalf("radixSort differs from slices.Sort")
		}
	})
}

// TestExposedInPositionOrder: the hosts each step exposes first come in
// ascending position order, and the steps of a ring partition its hosts.
func TestExposedInPositionOrder(t *testing.T) {
	plan := testPlan(t, func(p *Plan) {
		p.Rings[1].Steps = []float64{1, 10, 50, 100}
		p.Rings[1].TenantCap = 30
	})
	hosts := testHosts(3000, 40)
	for i := range hosts {
		hosts[i].Labels[TenantLabel] = fmt.Sprintf("t%d", i%7)
	}
	f, err := NewFleet(plan, "r1", hosts)
	if err != nil {
		t.Fatal(err)
	}
	for r := range plan.Rings {
		seen := map[int32]bool{}
		for j := range plan.Steps(r) {
			got := f.Exposed(r, j)
			if !slices.IsSorted(got) {
				t.Errorf("ring %d step %d: positions not ascending", r, j)
			}
			if want := f.Target(r, j) - f.Target(r, j-1); len(got) != want {
				t.Errorf("ring %d step %d: %d hosts, want %d", r, j, len(got), want)
			}
			for _, i := range got {
				if seen[i] || f.RingOf(int(i)) != r {
					t.Errorf("ring %d step %d: host %d exposed twice or not of the ring", r, j, i)
				}
				seen[i] = true
			}
		}
		if len(seen) != f.RingSize(r) {
			t.Errorf("ring %d: steps expose %d hosts of %d", r, len(seen), f.RingSize(r))
		}
	}
}
