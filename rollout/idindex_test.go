package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestIDIndex: the fleet's ID index finds every host at its position and
// no other ID, for IDs of every length (a map is the reference).
func TestIDIndex(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ids := rapid.SliceOfDistinct(rapid.StringN(1, 80, -1), func(s string) string { return s }).Draw(t, "ids")
		x, err := newIDIndex("r1", hostSlice(hostsWithIDs(ids)))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for i, id := range ids {
			want[id] = i
		}
		for i, id := range ids {
			if got, ok := x.lookup(id); !ok || got != i {
				t.Fatalf("lookup(%q) = %d, %t; want %d", id, got, ok, i)
			}
		}
		for _, id := range rapid.SliceOf(rapid.String()).Draw(t, "others") {
			got, ok := x.lookup(id)
			if w, known := want[id]; ok != known || known && got != w {
				t.Fatalf("lookup(%q) = %d, %t; want %d, %t", id, got, ok, w, known)
			}
		}
	})
}

func hostsWithIDs(ids []string) []Host {
	hosts := make([]Host, len(ids))
	for i, id := range ids {
		hosts[i] = Host{ID: id}
	}
	return hosts
}

func TestIDIndexErrors(t *testing.T) {
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{[]string{"a", "b", "a"}, `rollout: duplicate host ID "a"`},
		{[]string{"a", ""}, `rollout: host 1 has an empty ID`},
		{[]string{strings.Repeat("x", maxIDLen+1)}, `rollout: host 0 has an ID of 65536 bytes, more than the 65535 a fleet indexes`},
	} {
		_, err := newIDIndex("r1", hostSlice(hostsWithIDs(tc.ids)))
		if diff := cmp.Diff(tc.want, errText(err)); diff != "" {
			t.Errorf("%d IDs (-want +got):\n%s", len(tc.ids), diff)
		}
	}
	x := must(newIDIndex("r1", hostSlice(hostsWithIDs([]string{strings.Repeat("x", maxIDLen)}))))
	for _, id := range []string{"", strings.Repeat("x", maxIDLen+1), strings.Repeat("x", maxIDLen-1)} {
		if _, ok := x.lookup(id); ok {
			t.Errorf("lookup of a %d-byte ID found a host", len(id))
		}
	}
	if i, ok := x.lookup(strings.Repeat("x", maxIDLen)); !ok || i != 0 {
		t.Errorf("lookup of the longest ID: %d, %t", i, ok)
	}
}

// TestEligibleDoesNotAllocate: the host call allocates nothing, by ID or
// by position, for known and unknown hosts.
func TestEligibleDoesNotAllocate(t *testing.T) {
	f, ids := benchFleet(&testing.B{}, 2000, false)
	st := must(f.Start(Update{ID: "u1", Kind: "content"}, t0))
	st.Ring, st.RingName, st.Step, st.GA = 2, "broad", 2, t0
	now := mustTime("2026-11-28T02:00:00Z")
	// One run of 3000 calls, so that a single allocation shows: the
	// times move across window openings and closings, so the tenants'
	// window memos are replaced as they go.
	if a := testing.AllocsPerRun(1, func() {
		for i := range 1000 {
			f.Eligible(ids[i%len(ids)], &st, now)
			f.Eligible("no-such-host", &st, now)
			f.EligibleAt(i%len(ids), &st, now.Add(time.Duration(i%7)*time.Hour))
		}
	}); a > 0 {
		t.Errorf("3000 host calls allocate %g times", a)
	}
}
