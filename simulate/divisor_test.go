package simulate

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// TestDivisor: dividing by multiplication gives what division gives, for
// every divisor the simulator uses and dividends of every sign and size.
func TestDivisor(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.OneOf(rapid.Int64Range(1, 100), rapid.Int64Range(1, 1<<31), rapid.SampledFrom([]int64{1, 2, 3, 5, 60, 3600, 1 << 31, 1<<31 + 1, 1 << 40})).Draw(t, "d")
		a := rapid.OneOf(rapid.Int64Range(-1000, 1000), rapid.Int64Range(0, math.MaxUint32), rapid.Int64Range(-1<<33, 1<<33), rapid.Int64(),
			rapid.SampledFrom([]int64{0, math.MaxUint32, math.MaxUint32 + 1, -1 << 31, -1<<31 + 1, math.MinInt64 / 2, never})).Draw(t, "a")
		v := newDivisor(d)
		want := a / d
		if a%d != 0 && a < 0 {
			want--
		}
		if got := floorDiv(a, d); got != want {
			t.Fatalf("floorDiv(%d, %d) = %d, want %d", a, d, got, want)
		}
		if got := v.floor(a); got != want {
			t.Fatalf("floor(%d/%d) = %d, want %d", a, d, got, want)
		}
		u := uint32(a)
		if got, want := v.mod32(u), int64(uint64(u)%uint64(d)); got != want {
			t.Fatalf("%d mod %d = %d, want %d", u, d, got, want)
		}
	})
}
