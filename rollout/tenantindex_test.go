package rollout

import (
	"testing"

	"pgregory.net/rapid"
)

// The tenant index picks the same tenant as trying every tenant's selector
// in plan order, negated terms included.
func TestTenantIndexMatchesLinearScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := []string{"tenant", "region", "tier"}
		values := []string{"a", "b", "c"}
		genSel := rapid.Custom(func(t *rapid.T) Selector {
			var sel Selector
			for _, k := range keys {
				if rapid.Bool().Draw(t, "use "+k) {
					vs := rapid.SliceOfNDistinct(rapid.SampledFrom(values), 1, 3, rapid.ID[string]).Draw(t, "values "+k)
					sel = append(sel, Match{Key: k, Values: vs, Not: rapid.IntRange(0, 2).Draw(t, "not "+k) == 0})
				}
			}
			// Put any key first, so that tenants file under different keys.
			if len(sel) > 1 {
				i := rapid.IntRange(0, len(sel)-1).Draw(t, "first")
				sel[0], sel[i] = sel[i], sel[0]
			}
			return sel
		})
		n := rapid.IntRange(0, 12).Draw(t, "tenants")
		tenants := make([]Tenant, n)
		for i := range tenants {
			tenants[i] = Tenant{Select: genSel.Draw(t, "selector")}
		}
		x := newTenantIndex(tenants)
		for range 20 {
			labels := map[string]string{}
			for _, k := range keys {
				if rapid.Bool().Draw(t, "has "+k) {
					labels[k] = rapid.SampledFrom(values).Draw(t, "label "+k)
				}
			}
			want := int16(-1)
			for i := range tenants {
				if tenants[i].Select.Matches(labels) {
					want = int16(i)
					break
				}
			}
			if got := x.match(labels); got != want {
				t.Fatalf("labels %v: index picks tenant %d, linear scan %d", labels, got, want)
			}
		}
	})
}

func TestStratumKeysDoNotCollide(t *testing.T) {
	cover := []string{"a", "b"}
	x := stratumKey(cover, map[string]string{"a": "1,b=2", "b": "3"})
	y := stratumKey(cover, map[string]string{"a": "1", "b": "2,b=3"})
	if x == y {
		t.Fatalf("two strata share the key %q", x)
	}
	if got := stratumKey(cover, map[string]string{"a": "1", "b": "2"}); got != "a=1,b=2" {
		t.Errorf("plain key = %q, want a=1,b=2", got)
	}
}
