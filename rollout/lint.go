package rollout

import (
	"fmt"
	"slices"
)

// Warnings returns what is valid in p but almost certainly a mistake: a
// ring that can never receive a host, because an earlier ring selects
// every host (a catch-all) or every host its selector matches (it is
// covered by that ring; coverage by several earlier rings together is
// not detected). Each warning is a *ValidationError on the ring's
// "select". A Plan compiles with warnings; `ringwise check -strict`
// refuses them.
func (p *Plan) Warnings() []*ValidationError {
	var out []*ValidationError
	for j := range p.Rings {
		r := &p.Rings[j]
		for i := range j {
			e := &p.Rings[i]
			if !e.Select.Implied(r.Select) {
				continue
			}
			why := fmt.Sprintf("ring %q before it selects every host its selector matches (%s)", e.Name, r.Select)
			if len(e.Select) == 0 {
				why = fmt.Sprintf("ring %q before it has no selector and takes every host not in an earlier ring", e.Name)
			}
			out = append(out, &ValidationError{Src: r.Src, Rule: fmt.Sprintf("ring %q", r.Name), Field: "select",
				Message: "this ring can never receive a host: " + why})
			break
		}
	}
	return out
}

// TenantWarnings returns a warning (a *ValidationError on "select") for
// each tenant whose selector overlaps an earlier tenant's: a host can
// match both, and then only the first tenant's rules apply to it.
func TenantWarnings(tenants []Tenant) []*ValidationError {
	var out []*ValidationError
	for j := range tenants {
		t := &tenants[j]
		for i := range j {
			e := &tenants[i]
			if e.Select.Disjoint(t.Select) {
				continue
			}
			msg := fmt.Sprintf("overlaps tenant %q: a host can match both selectors (%s and %s), and the first tenant's rules apply to it, never this one's", e.Name, e.Select, t.Select)
			if e.Select.Implied(t.Select) {
				msg = fmt.Sprintf("this tenant never applies: every host its selector matches (%s) matches tenant %q first (%s)", t.Select, e.Name, e.Select)
			}
			out = append(out, &ValidationError{Src: t.Src, Rule: fmt.Sprintf("tenant %q", t.Name), Field: "select", Message: msg})
			break
		}
	}
	return out
}

// Implied reports whether every host that other matches also matches s
// (s is implied by other). It decides term by term: each term of s must
// follow from other's term on the same label.
func (s Selector) Implied(other Selector) bool {
	for _, m := range s {
		k := slices.IndexFunc(other, func(o Match) bool { return o.Key == m.Key })
		if k < 0 {
			return false
		}
		o := &other[k]
		switch {
		case !m.Not && !o.Not: // o's values are among m's
			if !subset(o.Values, m.Values) {
				return false
			}
		case m.Not && !o.Not: // none of o's values is excluded by m
			if slices.ContainsFunc(o.Values, func(v string) bool { return slices.Contains(m.Values, v) }) {
				return false
			}
		case m.Not && o.Not: // o excludes at least what m excludes
			if !subset(m.Values, o.Values) {
				return false
			}
		default: // m needs values, o only excludes some
			return false
		}
	}
	return true
}

// Disjoint reports whether no host can match both s and other: some label
// that one requires to have values the other requires or allows none of.
func (s Selector) Disjoint(other Selector) bool {
	for _, m := range s {
		for _, o := range other {
			if o.Key != m.Key {
				continue
			}
			switch {
			case !m.Not && !o.Not:
				if !slices.ContainsFunc(m.Values, func(v string) bool { return slices.Contains(o.Values, v) }) {
					return true
				}
			case !m.Not && o.Not:
				if subset(m.Values, o.Values) {
					return true
				}
			case m.Not && !o.Not:
				if subset(o.Values, m.Values) {
					return true
				}
			}
		}
	}
	return false
}

func subset(a, b []string) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}
