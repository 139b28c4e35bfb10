package review

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteSignedRank is the reference: the two-sided p-value by enumerating
// every assignment of signs to the non-zero differences' mid-ranks.
func bruteSignedRank(base, head []float64) float64 {
	var d []float64
	for i := range base {
		if base[i] != head[i] {
			d = append(d, head[i]-base[i])
		}
	}
	if len(d) == 0 {
		return 1
	}
	abs := make([]float64, len(d))
	for i, v := range d {
		abs[i] = math.Abs(v)
	}
	r := midRanks(abs)
	w := 0.0
	for i, v := range d {
		if v > 0 {
			w += r[i]
		}
	}
	var lo, hi, n float64
	for mask := range 1 << len(d) {
		s := 0.0
		for i := range d {
			if mask&(1<<i) != 0 {
				s += r[i]
			}
		}
		n++
		if s <= w+1e-9 {
			lo++
		}
		if s >= w-1e-9 {
			hi++
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/n)
}

// bruteRankSum enumerates every way to split the pooled mid-ranks.
func bruteRankSum(base, head []float64) float64 {
	all := append(append([]float64{}, head...), base...)
	r := midRanks(all)
	w := 0.0
	for i := range head {
		w += r[i]
	}
	var lo, hi, n float64
	for mask := range 1 << len(all) {
		k, s := 0, 0.0
		for i := range all {
			if mask&(1<<i) != 0 {
				k++
				s += r[i]
			}
		}
		if k != len(head) {
			continue
		}
		n++
		if s <= w+1e-9 {
			lo++
		}
		if s >= w-1e-9 {
			hi++
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/n)
}

// TestTestsAgainstEnumeration checks the exact p-values, ties and
// never-reached times included, against brute-force enumeration.
func TestTestsAgainstEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := 1 + rng.IntN(9)
		base, head := make([]float64, n), make([]float64, n)
		for i := range n {
			// Few distinct values, so ties and zero differences are common.
			base[i], head[i] = float64(rng.IntN(4)), float64(rng.IntN(4))
			if rng.IntN(8) == 0 {
				head[i] = math.Inf(1)
			}
		}
		if p, _ := signedRank(base, head); math.Abs(p-bruteSignedRank(base, head)) > 1e-9 {
			t.Fatalf("trial %d: signedRank(%v, %v) = %v, enumeration %v", trial, base, head, p, bruteSignedRank(base, head))
		}
		if n <= 7 {
			if p, _ := rankSum(base, head); math.Abs(p-bruteRankSum(base, head)) > 1e-9 {
				t.Fatalf("trial %d: rankSum(%v, %v) = %v, enumeration %v", trial, base, head, p, bruteRankSum(base, head))
			}
		}
	}
}

func TestSignedRankKnownValues(t *testing.T) {
	for _, tc := range []struct {
		base, head []float64
		p          float64
		dir        int
	}{
		{[]float64{1, 2, 3, 4, 5}, []float64{2, 3, 4, 5, 6}, 0.0625, 1}, // every pair up: 2/2^5
		{[]float64{2, 3, 4, 5, 6, 7}, []float64{1, 2, 3, 4, 5, 6}, 0.03125, -1},
		{[]float64{1, 2, 3}, []float64{1, 2, 3}, 1, 0},
		{[]float64{math.Inf(1), 5}, []float64{math.Inf(1), 5}, 1, 0}, // never on both sides is no difference
		{[]float64{1}, []float64{math.Inf(1)}, 1, 1},
	} {
		p, dir := signedRank(tc.base, tc.head)
		if math.Abs(p-tc.p) > 1e-12 || dir != tc.dir {
			t.Errorf("signedRank(%v, %v) = %v, %d; want %v, %d", tc.base, tc.head, p, dir, tc.p, tc.dir)
		}
	}
}

// TestNormalApproximation: at exactMax pairs, where the exact distribution
// hands over to the approximation, the two agree on the same data.
func TestNormalApproximation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		base, head := make([]float64, exactMax), make([]float64, exactMax)
		for i := range base {
			base[i], head[i] = math.Round(rng.NormFloat64()*5), math.Round(rng.NormFloat64()*5+1)
		}
		exact, _ := signedRankWith(base, head, 1)
		approx, _ := signedRankWith(base, head, 0)
		if math.Abs(exact-approx) > 0.01 {
			t.Errorf("exact p %v, approximate p %v", exact, approx)
		}
	}
}

// TestFalseAlarmRate is the calibration of the noise rule: on 1,000
// simulated reviews (400 unpaired) where head and base have the same distribution (ten
// correlated metrics, 20 runs), the share of reviews with any metric
// flagged stays at or below Level (plus sampling error).
func TestFalseAlarmRate(t *testing.T) {
	for _, paired := range []bool{true, false} {
		rng := rand.New(rand.NewPCG(5, 6))
		const metrics, runs = 10, 20
		reviews := 1000
		if !paired {
			reviews = 400 // the exact rank-sum distribution costs more
		}
		flagged := 0
		for range reviews {
			ps := make([]float64, metrics)
			// A per-run effect every metric of the run shares; with paired
			// seeds both sides share it too.
			sb, sh := make([]float64, runs), make([]float64, runs)
			for k := range sb {
				sb[k], sh[k] = rng.NormFloat64(), rng.NormFloat64()
				if paired {
					sh[k] = sb[k]
				}
			}
			for m := range metrics {
				base, head := make([]float64, runs), make([]float64, runs)
				for k := range runs {
					// Rounded, so ties happen as they do in host counts.
					base[k] = math.Round(3 * (sb[k] + rng.NormFloat64()))
					head[k] = math.Round(3 * (sh[k] + rng.NormFloat64()))
				}
				if paired {
					ps[m], _ = signedRank(base, head)
				} else {
					ps[m], _ = rankSum(base, head)
				}
			}
			for _, r := range benjaminiHochberg(ps, Level) {
				if r {
					flagged++
					break
				}
			}
		}
		rate := float64(flagged) / float64(reviews)
		// Level plus three standard errors of a proportion at Level.
		if bound := Level + 3*math.Sqrt(Level*(1-Level)/float64(reviews)); rate > bound {
			t.Errorf("paired=%v: %d of %d null reviews flagged a metric (%.3f), above %.3f", paired, flagged, reviews, rate, bound)
		}
		t.Logf("paired=%v: false-alarm rate %.4f over %d null reviews", paired, rate, reviews)
	}
}

// TestPower: a consistent shift is found with the default runs.
func TestPower(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	base, head := make([]float64, DefaultRuns), make([]float64, DefaultRuns)
	for k := range base {
		base[k] = 100 + rng.NormFloat64()*5
		head[k] = base[k] + 10 + rng.NormFloat64()*5
	}
	if p, dir := signedRank(base, head); p > 0.001 || dir != 1 {
		t.Errorf("p %v, dir %d; want p <= 0.001 and head larger", p, dir)
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	got := benjaminiHochberg([]float64{0.01, 0.04, 0.03, 0.5, 0.005}, 0.05)
	// Sorted: 0.005 (<=0.01), 0.01 (<=0.02), 0.03 (<=0.03), 0.04 (> 0.04? 0.04 <= 0.04) , 0.5.
	want := []bool{true, true, true, false, true}
	want[1] = true
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func BenchmarkSignedRank(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	base, head := make([]float64, DefaultRuns), make([]float64, DefaultRuns)
	for k := range base {
		base[k], head[k] = math.Round(rng.NormFloat64()*10), math.Round(rng.NormFloat64()*10)
	}
	b.ReportAllocs()
	for b.Loop() {
		signedRank(base, head)
	}
}
