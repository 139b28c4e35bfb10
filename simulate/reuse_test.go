package simulate

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestRunReuse: a run that reuses the memory of earlier runs (finished,
// or cancelled midway) gives the same Result as a run of a fresh Sim.
func TestRunReuse(t *testing.T) {
	for _, ex := range []string{"crowdstrike-2024", "cloudflare-2019"} {
		t.Run(ex, func(t *testing.T) {
			sc := loadExample(t, ex)
			sc = sc.Scaled(2000 / float64(sc.Hosts()))
			plan := loadPlan(t, "../examples/policies/recommended.hcl")
			fresh := func(seed uint64) *Result {
				s, err := New(sc, plan)
				if err != nil {
					t.Fatal(err)
				}
				res, err := s.Run(context.Background(), seed)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			s, err := New(sc, plan)
			if err != nil {
				t.Fatal(err)
			}
			for k, seed := range []uint64{3, 1, 3, 2} {
				if k == 2 {
					// Cancelled at its second check (tick 1024), midway.
					if _, err := s.Run(&cancelAfter{Context: context.Background(), n: 1}, 9); err == nil {
						t.Fatal("a cancelled run did not fail")
					}
				}
				got, err := s.Run(context.Background(), seed)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(fresh(seed), got, cmpopts.IgnoreUnexported(Decision{})); diff != "" {
					t.Errorf("run %d (seed %d) on reused memory differs from a fresh run (-fresh +reused):\n%s", k, seed, diff)
				}
			}
		})
	}
}

// cancelAfter is a context cancelled after n calls of Err.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}
