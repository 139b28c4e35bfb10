package rollout

import (
	"testing"

	"pgregory.net/rapid"
)

func genSelector(t *rapid.T, label string) Selector {
	var s Selector
	for _, k := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"os", "tenant", "region"}), 0, 3, func(k string) string { return k }).Draw(t, label+"Keys") {
		vals := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"a", "b", "c"}), 1, 3, func(v string) string { return v }).Draw(t, label+"Vals")
		s = append(s, Match{Key: k, Values: vals, Not: rapid.Bool().Draw(t, label+"Not")})
	}
	return s
}

func genLabels(t *rapid.T) map[string]string {
	l := map[string]string{}
	for _, k := range []string{"os", "tenant", "region"} {
		if v := rapid.SampledFrom([]string{"", "a", "b", "c", "d"}).Draw(t, k); v != "" {
			l[k] = v
		}
	}
	return l
}

// TestSelectorLogicProperty: a negated term holds exactly when the label
// is absent or none of its values; Implied and Disjoint, which the
// warnings of check rest on, are sound: when s.Implied(o), every host o
// matches s matches too; when Disjoint, no host matches both.
func TestSelectorLogicProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, o := genSelector(t, "s"), genSelector(t, "o")
		implied, disjoint := s.Implied(o), s.Disjoint(o)
		for range 20 {
			l := genLabels(t)
			want := true
			for _, m := range s {
				v, ok := l[m.Key]
				in := false
				for _, x := range m.Values {
					in = in || ok && x == v
				}
				want = want && in != m.Not
			}
			if got := s.Matches(l); got != want {
				t.Fatalf("%s on %v: Matches %t, want %t", s, l, got, want)
			}
			if implied && o.Matches(l) && !s.Matches(l) {
				t.Fatalf("%s said implied by %s, but %v matches only the latter", s, o, l)
			}
			if disjoint && o.Matches(l) && s.Matches(l) {
				t.Fatalf("%s and %s said disjoint, but %v matches both", s, o, l)
			}
		}
	})
}
