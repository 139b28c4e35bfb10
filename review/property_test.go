package review

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// sample draws a run's metric: small integers (ties are common in host
// counts) or never (+Inf).
func sample(t *rapid.T, n int, label string) []float64 {
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) float64 {
		if rapid.IntRange(0, 9).Draw(t, "never") == 0 {
			return math.Inf(1)
		}
		return float64(rapid.IntRange(0, 6).Draw(t, "v"))
	}), n, n).Draw(t, label)
}

// TestStatsProperties: p-values are in (0, 1]; swapping the sides keeps
// the p-value and flips the direction; shifting or scaling both sides by
// the same monotone map changes nothing (the tests are rank tests); and a
// side compared with itself is no difference.
func TestStatsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 25).Draw(t, "n")
		base, head := sample(t, n, "base"), sample(t, n, "head")
		for _, test := range []struct {
			name string
			f    func(b, h []float64) (float64, int)
		}{{"signedRank", signedRank}, {"rankSum", rankSum}} {
			p, dir := test.f(base, head)
			if !(p > 0 && p <= 1) {
				t.Fatalf("%s: p %v", test.name, p)
			}
			q, rdir := test.f(head, base)
			if math.Abs(p-q) > 1e-9 || rdir != -dir {
				t.Fatalf("%s: swapped sides give p %v dir %d, want %v, %d", test.name, q, rdir, p, -dir)
			}
			if p0, d0 := test.f(base, base); p0 != 1 || d0 != 0 {
				t.Fatalf("%s: a side against itself: p %v, dir %d", test.name, p0, d0)
			}
		}
		// A monotone map of the values is the same ranks: the paired test
		// compares |differences|, so only a shift applies there.
		shift := func(xs []float64) []float64 {
			out := make([]float64, len(xs))
			for i, x := range xs {
				out[i] = x + 1000
			}
			return out
		}
		p, dir := signedRank(base, head)
		if p2, dir2 := signedRank(shift(base), shift(head)); math.Abs(p-p2) > 1e-9 || dir != dir2 {
			t.Fatalf("signedRank changed under a shift: %v %d -> %v %d", p, dir, p2, dir2)
		}
		cube := func(xs []float64) []float64 {
			out := make([]float64, len(xs))
			for i, x := range xs {
				out[i] = x*x*x + 7
			}
			return out
		}
		p, dir = rankSum(base, head)
		if p2, dir2 := rankSum(cube(base), cube(head)); math.Abs(p-p2) > 1e-9 || dir != dir2 {
			t.Fatalf("rankSum changed under a monotone map: %v %d -> %v %d", p, dir, p2, dir2)
		}
	})
}

// TestBHProperties: Benjamini-Hochberg rejects a prefix of the sorted
// p-values, never more than the uncorrected test would, and at least what
// Bonferroni rejects.
func TestBHProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps := rapid.SliceOfN(rapid.Float64Range(0, 1), 1, 40).Draw(t, "ps")
		rej := benjaminiHochberg(ps, Level)
		maxRejected, minKept := -1.0, 2.0
		for i, p := range ps {
			if rej[i] {
				maxRejected = max(maxRejected, p)
				if p > Level {
					t.Fatalf("rejected p %v above the level", p)
				}
			} else {
				minKept = min(minKept, p)
				if p <= Level/float64(len(ps)) {
					t.Fatalf("kept p %v that Bonferroni rejects", p)
				}
			}
		}
		if maxRejected > minKept {
			t.Fatalf("rejected %v but kept %v", maxRejected, minKept)
		}
	})
}
