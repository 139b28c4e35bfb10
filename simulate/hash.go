package simulate

import (
	"math"
	"math/bits"
)

// Salts separate the per-host draws of one run.
const (
	saltPhase uint64 = iota + 1
	saltJitter
	saltOnline
	saltReport
	saltFault
	saltLatency
	saltRecover
	saltReboot
	saltCrashLost
	saltRun
	saltFlap // after saltRun, which SeedFor mixes in: adding salts changes no seed
	nSalts   = saltFlap
)

// draws are a run's per-host random draws: hashes of the host position,
// a salt and the run's seed, so that a host's draws do not depend on the
// order in which the run visits hosts.
type draws struct{ salts [nSalts]uint64 }

func newDraws(seed uint64) draws {
	var d draws
	for k := range d.salts {
		d.salts[k] = mix(seed ^ mix(uint64(k+1)*0xd1b54a32d192ed03))
	}
	return d
}

// hash is a per-host draw of this run.
func (d *draws) hash(i int, salt uint64) uint64 {
	return mix(d.salts[salt-1] ^ uint64(i)*0x9e3779b97f4a7c15)
}

// hashK is a per-host draw that also depends on k (a slot, a fault).
func (d *draws) hashK(i int, salt uint64, k int64) uint64 {
	return mix(d.salts[salt-1] ^ (uint64(i)*0x9e3779b97f4a7c15 + uint64(k)*0xa0761d6478bd642f))
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

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// floorDiv is a/b rounded towards minus infinity, b > 0.
func floorDiv(a, b int64) int64 {
	if uint64(a)|uint64(b) <= math.MaxUint32 {
		// Both in [0, 2^32): a 32-bit division, several times faster.
		return int64(uint32(a) / uint32(b))
	}
	q := a / b
	if (a%b != 0) && (a < 0) {
		q--
	}
	return q
}

// geometric returns the number of failures before the first success of
// trials with success chance p, from u in [0, 1); large when p is tiny.
func geometric(u, p float64) int64 {
	if u < p || p >= 1 {
		return 0 // P(0 failures) = p
	}
	if p <= 0 {
		return math.MaxInt32
	}
	n := math.Floor(math.Log1p(-u) / math.Log1p(-p))
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int64(n)
}

// SeedFor returns the seed of run k of a Monte Carlo started with seed.
func SeedFor(seed uint64, k int) uint64 {
	if k == 0 {
		return seed
	}
	return mix(seed ^ mix(uint64(k)*0x9e3779b97f4a7c15^saltRun))
}

// divisor divides by d >= 1 with a multiplication instead of a division
// (Lemire, Kaser and Kurz, "Faster remainder by direct computation",
// 2019), exact for d in [2, 2^31] and dividends in (-2^31, 2^32), where the
// per-host draws and times of a run fall; others take floorDiv.
type divisor struct {
	d int64
	m uint64 // ceil(2^64 / d); 0: divide
}

func newDivisor(d int64) divisor {
	if d < 2 || d > 1<<31 {
		return divisor{d: max(d, 1)}
	}
	return divisor{d: d, m: math.MaxUint64/uint64(d) + 1}
}

// floor returns a/d rounded towards minus infinity, as floorDiv(a, d).
func (v divisor) floor(a int64) int64 {
	switch {
	case v.m == 0:
		return floorDiv(a, v.d)
	case uint64(a) <= math.MaxUint32:
		hi, _ := bits.Mul64(v.m, uint64(a))
		return int64(hi)
	case a < 0 && a > -1<<31:
		// floor(a/d) = -ceil(-a/d) = -floor((-a+d-1)/d), -a+d-1 < 2^32.
		hi, _ := bits.Mul64(v.m, uint64(-a+v.d-1))
		return -int64(hi)
	}
	return floorDiv(a, v.d)
}

// mod32 returns a mod d.
func (v divisor) mod32(a uint32) int64 {
	if v.m == 0 {
		return int64(uint64(a) % uint64(v.d))
	}
	hi, _ := bits.Mul64(v.m*uint64(a), uint64(v.d))
	return int64(hi)
}
