package simulate

import (
	"math"
	"math/rand/v2"
)

// pcg is a run's own random source for aggregate draws (background event
// counts); per-host draws are hashes (see hash.go).
type pcg struct{ r *rand.Rand }

func newPCG(seed uint64) pcg { return pcg{rand.New(rand.NewPCG(seed, mix(seed)))} }

// poisson draws a Poisson count with mean mu (a normal approximation above
// mean 64).
func (p pcg) poisson(mu float64) int64 {
	switch {
	case !(mu > 0):
		return 0
	case mu > 64:
		v := math.Round(mu + math.Sqrt(mu)*p.r.NormFloat64())
		return int64(max(v, 0))
	}
	l := math.Exp(-mu)
	k := int64(0)
	for q := p.r.Float64(); q > l; q *= p.r.Float64() {
		k++
	}
	return k
}
