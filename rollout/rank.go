package rollout

// Ranking hosts: the stable hash of (rollout ID, host ID), the radix sort
// of ranks, step shares and stratum keys.

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// radixSort sorts keys in place (LSD, 11 bits a pass) using scratch, which
// it returns grown for reuse. The keys must already be in order of their
// low sorted bits (NewFleetFrom appends them in position order, the
// position in the low bits): a stable pass per higher digit then sorts
// them, with no pass over the low bits.
func radixSort(keys, scratch []uint64, sorted int) []uint64 {
	if len(keys) < 256 {
		slices.Sort(keys)
		return scratch
	}
	const bits, size = 11, 1 << 11
	scratch = slices.Grow(scratch[:0], len(keys))[:len(keys)]
	src, dst := keys, scratch
	for shift := uint(sorted); shift < 64; shift += bits {
		var count [size + 1]int
		for _, k := range src {
			count[(k>>shift)&(size-1)+1]++
		}
		if count[1+(src[0]>>shift)&(size-1)] == len(src) {
			continue // every key has this digit
		}
		for x := 1; x < len(count); x++ {
			count[x] += count[x-1]
		}
		for _, k := range src {
			d := (k >> shift) & (size - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
	return scratch
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
		// Quote a value that could be mistaken for a separator, so that two
		// strata never share a key.
		if v := labels[k]; strings.ContainsAny(v, ",=\"") {
			b.WriteString(strconv.Quote(v))
		} else {
			b.WriteString(v)
		}
	}
	return b.String()
}

// rank is the stable hash that orders hosts for a rollout: FNV-1a over
// the rollout ID, a separator and the host ID, finished with the
// splitmix64 mixer so that nearby IDs spread evenly.
func rank(rolloutID, hostID string) uint64 {
	h := fnvString(fnvOffset, rolloutID)
	h = (h ^ 0xff) * fnvPrime
	return mix(fnvString(h, hostID))
}

func rankBytes(rolloutID string, hostID []byte) uint64 {
	h := fnvString(fnvOffset, rolloutID)
	h = (h ^ 0xff) * fnvPrime
	for _, c := range hostID {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h)
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// mix is the splitmix64 finaliser.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
