package review

import (
	"math"
	"slices"
	"sort"
)

// Level is the false-discovery rate at which a review calls a metric worse
// or better: the Benjamini-Hochberg procedure at this level over every
// metric the review tests. When head and base are the same policy, the
// chance that any metric of the whole review is flagged is at most Level.
const Level = 0.05

// exactMax is the largest number of (non-zero) pairs, or of runs in both
// samples together, for which p-values come from the exact permutation
// distribution; above it, from the normal approximation with tie and
// continuity corrections.
const exactMax = 60

// signedRank is the two-sided Wilcoxon signed-rank test of "head and base
// are exchangeable within each pair" on paired samples (run k of both sides
// used the same seed). A time never reached is +Inf; pairs that are equal
// (both never, or the same value) carry no information and are dropped
// (Wilcoxon's treatment of zeros). It returns the p-value and the direction
// of the difference: +1 when head tends to be larger, -1 smaller, 0 when
// every pair is equal.
//
// With ties among |differences| the ranks are mid-ranks and the exact null
// distribution is that of the observed mid-ranks under random signs, so
// the test stays exact with ties.
func signedRank(base, head []float64) (p float64, dir int) {
	return signedRankWith(base, head, -1)
}

// signedRankWith is signedRank with the exact distribution forced (exact
// 1), the normal approximation forced (0), or chosen by size (-1).
func signedRankWith(base, head []float64, exact int) (p float64, dir int) {
	var d []float64
	for i := range base {
		b, h := base[i], head[i]
		switch {
		case b == h: // includes both +Inf
		case math.IsInf(h, 1):
			d = append(d, math.Inf(1))
		case math.IsInf(b, 1):
			d = append(d, math.Inf(-1))
		default:
			d = append(d, h-b)
		}
	}
	n := len(d)
	if n == 0 {
		return 1, 0
	}
	abs := make([]float64, n)
	for i, v := range d {
		abs[i] = math.Abs(v)
	}
	ranks := midRanks(abs)
	// Doubled ranks are integers.
	r2 := make([]int, n)
	w2, total2 := 0, 0 // doubled W+ and doubled sum of all ranks
	for i, r := range ranks {
		r2[i] = int(math.Round(2 * r))
		total2 += r2[i]
		if d[i] > 0 {
			w2 += r2[i]
		}
	}
	switch {
	case 2*w2 > total2:
		dir = 1
	case 2*w2 < total2:
		dir = -1
	}
	if exact == 1 || exact < 0 && n <= exactMax {
		// dist[s] = P(doubled W+ = s) under random signs.
		dist := make([]float64, total2+1)
		dist[0] = 1
		hi := 0
		for _, r := range r2 {
			for s := hi; s >= 0; s-- {
				if dist[s] == 0 {
					continue
				}
				dist[s+r] += dist[s] / 2
				dist[s] /= 2
			}
			hi += r
		}
		return twoSided(dist, w2), dir
	}
	// Normal approximation: mean sum/2, variance sum(r^2)/4.
	mean := float64(total2) / 4
	var v float64
	for _, r := range ranks {
		v += r * r
	}
	v /= 4
	return normalTwoSided(float64(w2)/2, mean, v), dir
}

// rankSum is the two-sided Wilcoxon-Mann-Whitney rank-sum test of "head
// and base come from the same distribution" on independent samples (the
// sides ran different seeds). Ties get mid-ranks; the exact distribution is
// that of the observed mid-ranks under random assignment. dir is +1 when
// head tends to be larger, -1 smaller, 0 when both samples are the same
// multiset.
func rankSum(base, head []float64) (p float64, dir int) {
	nb, nh := len(base), len(head)
	if nb == 0 || nh == 0 {
		return 1, 0
	}
	if sameMultiset(base, head) {
		return 1, 0
	}
	all := append(slices.Clone(head), base...)
	ranks := midRanks(all)
	r2 := make([]int, len(all))
	total2, w2 := 0, 0
	for i, r := range ranks {
		r2[i] = int(math.Round(2 * r))
		total2 += r2[i]
		if i < nh {
			w2 += r2[i]
		}
	}
	// Head's expected doubled rank sum is total2*nh/N.
	N := nb + nh
	switch e := total2 * nh; {
	case w2*N > e:
		dir = 1
	case w2*N < e:
		dir = -1
	}
	if N <= exactMax {
		// ways[k][s]: share of subsets of size k of the items seen so far
		// with doubled rank sum s, as probabilities of the final choice.
		ways := make([][]float64, nh+1)
		for k := range ways {
			ways[k] = make([]float64, total2+1)
		}
		ways[0][0] = 1
		hi := 0 // the largest sum reachable so far
		for i, r := range r2 {
			hi += r
			for k := min(i+1, nh); k >= 1; k-- {
				row, prev := ways[k], ways[k-1]
				for s := hi; s >= r; s-- {
					row[s] += prev[s-r]
				}
			}
		}
		// Normalise by C(N, nh), summed from the table itself.
		var sum float64
		for _, c := range ways[nh] {
			sum += c
		}
		dist := make([]float64, total2+1)
		for s, c := range ways[nh] {
			dist[s] = c / sum
		}
		return twoSided(dist, w2), dir
	}
	fb, fh := float64(nb), float64(nh)
	mean := fh * float64(N+1) / 2
	// Tie-corrected variance: nb*nh/(N(N-1)) * sum (r - mean rank)^2.
	mr := float64(N+1) / 2
	var ss float64
	for _, r := range ranks {
		ss += (r - mr) * (r - mr)
	}
	v := fb * fh / (float64(N) * float64(N-1)) * ss
	return normalTwoSided(float64(w2)/2, mean, v), dir
}

// twoSided returns the two-sided p-value of observing x under dist: twice
// the smaller tail, at most 1.
func twoSided(dist []float64, x int) float64 {
	var lo, hi float64
	for s, c := range dist {
		if s <= x {
			lo += c
		}
		if s >= x {
			hi += c
		}
	}
	return min(1, 2*min(lo, hi))
}

// normalTwoSided is the two-sided p-value of x under a normal with mean
// and variance v, with a continuity correction of half a rank.
func normalTwoSided(x, mean, v float64) float64 {
	if v <= 0 {
		return 1
	}
	z := (math.Abs(x-mean) - 0.5) / math.Sqrt(v)
	if z <= 0 {
		return 1
	}
	return min(1, math.Erfc(z/math.Sqrt2))
}

// midRanks returns the 1-based ranks of xs, ties sharing their mean rank.
// +Inf sorts last and ties with +Inf.
func midRanks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	ranks := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		i = j + 1
	}
	return ranks
}

func sameMultiset(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// benjaminiHochberg returns which of ps are rejected at false-discovery
// rate q.
func benjaminiHochberg(ps []float64, q float64) []bool {
	m := len(ps)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	k := -1
	for i, j := range idx {
		if ps[j] <= float64(i+1)*q/float64(m) {
			k = i
		}
	}
	out := make([]bool, m)
	for i := 0; i <= k; i++ {
		out[idx[i]] = true
	}
	return out
}

// minPairedP is the smallest two-sided p-value the signed-rank test can
// give with n pairs: every pair differing in the same direction.
func minPairedP(n int) float64 { return min(1, 2*math.Pow(0.5, float64(n))) }
