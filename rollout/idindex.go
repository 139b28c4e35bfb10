package rollout

import (
	"fmt"
	"math/bits"
)

// idIndex finds a host's position by its ID for the host call. It is an
// open-addressing table of 16-byte slots over a copy of every ID in
// position order: a lookup reads one slot (the hash's tag and the ID's
// place in the copy) and the ID's bytes, where a Go map reads its control
// word, a slot and the key's bytes, scattered (BenchmarkEligible). The
// hash (idHash) reads eight bytes a step and is seeded from the rollout
// ID, so that the layout, like everything in this package, is the same
// on every run and platform; no answer depends on it.
type idIndex struct {
	seed  uint64
	slots []idSlot // a power of two, at most four fifths full
	ids   []byte   // every host's ID, in position order
}

type idSlot struct {
	tag uint32 // the hash's high bits
	pos uint32 // the host's position + 1; 0: empty
	at  uint64 // the ID's offset in ids << 16 | its length
}

// maxIDLen is the longest host ID the index holds.
const maxIDLen = 1<<16 - 1

// newIDIndex indexes the IDs of inv for the rollout rolloutID; IDs must be
// unique, non-empty and at most maxIDLen bytes.
func newIDIndex(rolloutID string, inv Inventory) (*idIndex, error) {
	n := inv.Len()
	size := 0
	for i := range n {
		size += len(inv.ID(i))
	}
	// At most four fifths full: a found ID is then about three slots from
	// its hash, within one cache line of four slots on average, and the
	// table is as small as that allows (a table that fits the caches
	// matters more than a slot saved: BenchmarkEligible took 2.6 times
	// the floor at most 4/5 full, 3.6 times at most 3/4).
	x := &idIndex{seed: mix(fnvString(fnvOffset, rolloutID)), slots: make([]idSlot, 1<<max(bits.Len(uint(n+n/4)), 3)), ids: make([]byte, 0, size)}
	mask := uint64(len(x.slots) - 1)
	for i := range n {
		id := inv.ID(i)
		switch {
		case id == "":
			return nil, fmt.Errorf("rollout: host %d has an empty ID", i)
		case len(id) > maxIDLen:
			return nil, fmt.Errorf("rollout: host %d has an ID of %d bytes, more than the %d a fleet indexes", i, len(id), maxIDLen)
		}
		h := idHash(x.seed, id)
		tag := uint32(h >> 32)
		for k := h & mask; ; k = (k + 1) & mask {
			s := &x.slots[k]
			if s.pos == 0 {
				*s = idSlot{tag: tag, pos: uint32(i) + 1, at: uint64(len(x.ids))<<16 | uint64(len(id))}
				x.ids = append(x.ids, id...)
				break
			}
			if s.tag == tag && x.id(s) == id {
				return nil, fmt.Errorf("rollout: duplicate host ID %q", id)
			}
		}
	}
	return x, nil
}

func (x *idIndex) id(s *idSlot) string {
	off := s.at >> 16
	return string(x.ids[off : off+s.at&0xffff])
}

// lookup returns the position of the host id. It does not allocate.
func (x *idIndex) lookup(id string) (int, bool) {
	if len(id) > maxIDLen || id == "" {
		return 0, false
	}
	h := idHash(x.seed, id)
	tag, mask := uint32(h>>32), uint64(len(x.slots)-1)
	for k := h & mask; ; k = (k + 1) & mask {
		s := &x.slots[k]
		if s.pos == 0 {
			return 0, false
		}
		if s.tag == tag && s.at&0xffff == uint64(len(id)) {
			off := s.at >> 16
			if string(x.ids[off:off+uint64(len(id))]) == id {
				return int(s.pos - 1), true
			}
		}
	}
}

// idHash hashes a host ID eight bytes at a step (a multiply and a shift
// each), finished with the splitmix64 mixer.
func idHash(seed uint64, s string) uint64 {
	const k = 0x9e3779b97f4a7c15
	h := seed ^ uint64(len(s))*k
	for ; len(s) >= 8; s = s[8:] {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ w) * k
		h ^= h >> 29
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	return mix((h ^ w) * k)
}
