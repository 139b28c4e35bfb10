package simulate

// Typed attribute helpers of the scenario decoder, over the shared
// internal/hclattr decoder, and the check that each fault selects hosts.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/rollout"
)

func (d *decoder) str(a *hcl.Attribute) (string, bool) { return d.attr.String(a) }

// number decodes a number in [lo, hi], def when absent or invalid.
func (d *decoder) number(a *hcl.Attribute, def, lo, hi float64) float64 {
	f, ok := d.attr.Number(a)
	if !ok {
		return def
	}
	if !(f >= lo && f <= hi) {
		d.errorf(a.Expr.Range(), "Invalid "+a.Name, "%s must be in [%g, %g], got %g.", a.Name, lo, hi, f)
		return def
	}
	return f
}

func (d *decoder) whole(a *hcl.Attribute) (int, bool) { return d.attr.Int(a) }

func (d *decoder) dur(a *hcl.Attribute, def time.Duration) time.Duration {
	v, _ := d.durOK(a, def)
	return v
}

func (d *decoder) durOK(a *hcl.Attribute, def time.Duration) (time.Duration, bool) {
	v, ok := d.attr.Duration(a)
	if !ok {
		return def, false
	}
	if v < 0 {
		d.errorf(a.Expr.Range(), "Invalid duration", "%s must not be negative.", a.Name)
		return def, false
	}
	if v > maxScenarioDuration {
		d.errorf(a.Expr.Range(), "Invalid duration", "%s is too long: at most %s (100 years), got %s.", a.Name, fmtDur(maxScenarioDuration), fmtDur(v))
		return def, false
	}
	return v, true
}

func (d *decoder) positiveDur(a *hcl.Attribute, def time.Duration) time.Duration {
	v, ok := d.durOK(a, def)
	if ok && v <= 0 {
		d.errorf(a.Expr.Range(), "Invalid duration", "%s must be positive.", a.Name)
		return def
	}
	return v
}

func (d *decoder) dist(a *hcl.Attribute) Dist {
	s, ok := d.str(a)
	if !ok {
		return Dist{}
	}
	v, err := ParseDist(s)
	if err != nil {
		d.errorf(a.Expr.Range(), "Invalid distribution", "%s: %v.", a.Name, err)
		return Dist{}
	}
	if v.Mean > maxScenarioDuration || v.Max > maxScenarioDuration {
		d.errorf(a.Expr.Range(), "Invalid distribution", "%s is too long: its durations are at most %s (100 years).", a.Name, fmtDur(maxScenarioDuration))
		return Dist{}
	}
	return v
}

// names decodes a non-empty list of distinct, non-empty names; nil when
// it is not one.
func (d *decoder) names(a *hcl.Attribute) []string {
	v, ok := d.attr.StringList(a)
	if !ok {
		return nil
	}
	n := d.nerr
	d.attr.CheckNames(a, v, "name")
	if d.nerr != n {
		return nil
	}
	return v
}

func (d *decoder) labels(a *hcl.Attribute) map[string]string {
	out, ok := d.attr.StringMap(a, `object of label = "value"`)
	if !ok {
		return map[string]string{}
	}
	if _, ok := out[""]; ok {
		d.errorf(a.Expr.Range(), "Invalid labels", "A label needs a name.")
		delete(out, "")
	}
	return out
}

// faultMatches reports a fault whose selector matches no host of the
// fleet: a misspelt label or value would otherwise make the fault strike
// nobody, and the scenario test nothing.
func (d *decoder) faultMatches(sc *Scenario, f Fault) {
	if len(f.Select) == 0 || f.selectRange.Filename == "" {
		return
	}
	for _, co := range sc.Cohorts {
		if cohortMatches(co, f.Select) {
			return
		}
	}
	detail := fmt.Sprintf("Fault %q selects no host of the fleet", f.Name)
	for _, m := range f.Select {
		var keys, values []string
		for _, co := range sc.Cohorts {
			for k := range co.Labels {
				keys = append(keys, k)
			}
			if co.TenantCount > 0 || len(co.Tenants) > 0 {
				keys = append(keys, rollout.TenantLabel)
			}
			if v, ok := co.Labels[m.Key]; ok {
				values = append(values, v)
			}
			if m.Key == rollout.TenantLabel {
				values = append(values, co.Tenants...)
			}
			if cohortMatches(co, rollout.Selector{m}) {
				keys = nil // this label alone matches
				break
			}
		}
		if keys == nil {
			continue
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		if !slices.Contains(keys, m.Key) {
			detail += fmt.Sprintf(": no cohort has a label %q", m.Key)
			if s := hclattr.Suggest(m.Key, keys); s != "" {
				detail += fmt.Sprintf(" (did you mean %q?)", s)
			}
		} else {
			detail += fmt.Sprintf(": no host has %s = %q", m.Key, m.Values)
			for _, v := range m.Values {
				if s := hclattr.Suggest(v, values); s != "" {
					detail += fmt.Sprintf(" (did you mean %q?)", s)
					break
				}
			}
		}
		break
	}
	if !strings.Contains(detail, ": ") {
		detail += ": no cohort has all of these labels at once"
	}
	d.errorf(f.selectRange, "Fault selects no host", "%s; a fault that strikes nobody tests nothing.", detail)
}

// cohortMatches reports whether sel matches some host of co: its labels,
// and its tenant label when it has tenants.
func cohortMatches(co Cohort, sel rollout.Selector) bool {
	for _, m := range sel {
		ok := false
		for _, v := range m.Values {
			if m.Key == rollout.TenantLabel && (co.TenantCount > 0 || len(co.Tenants) > 0) {
				if slices.Contains(co.Tenants, v) {
					ok = true
				} else if n, err := strconv.Atoi(strings.TrimPrefix(v, "t")); err == nil && strings.HasPrefix(v, "t") &&
					n >= 1 && n <= min(co.TenantCount, co.Hosts) && "t"+strconv.Itoa(n) == v {
					ok = true
				}
			} else if l, has := co.Labels[m.Key]; has && l == v {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func parseDuration(s string) (time.Duration, error) { return hclattr.ParseDuration(s) }
