package policy

// Decoding tenant blocks and their maintenance windows, with time zones
// loaded once per name.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/rollout"
)

func (l *loader) decodeTenant(b *hcl.Block) rollout.Tenant {
	n := l.nerr
	content := l.content(b.Body, tenantSchema)
	t := rollout.Tenant{Name: label(b), Src: l.src(b.DefRange)}
	defer l.rule(t.Src, n)
	t.Select = l.dec.Selector(content.Blocks)
	l.selectAt(t.Src, content.Blocks)
	if a := content.Attributes["defer"]; a != nil {
		v, ok := l.dec.Duration(a)
		l.at(t.Src, "defer", a, ok)
		t.Defer = v
	}
	l.decodeDeferKinds(&t, content.Attributes["defer_kinds"])
	if a := content.Attributes["opt_out"]; a != nil {
		if v, ok := l.dec.StringList(a); ok {
			l.dec.CheckNames(a, v, "update kind")
			t.OptOut = v
			for i, rng := range hclattr.ElementRanges(a, len(v)) {
				l.optOutRefs = append(l.optOutRefs, nameRef{name: v[i], rng: rng, plan: -1})
			}
		}
	}
	for _, blk := range content.Blocks {
		if blk.Type == "maintenance" {
			t.Maintenance = append(t.Maintenance, l.decodeWindow(blk))
		}
	}
	return t
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

var clock = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

func (l *loader) decodeWindow(b *hcl.Block) rollout.Window {
	n := l.nerr
	content := l.content(b.Body, maintenanceSchema)
	w := rollout.Window{Src: l.src(b.DefRange)}
	defer l.rule(w.Src, n)
	attrs := content.Attributes
	if a := attrs["days"]; a != nil {
		if v, ok := l.dec.StringList(a); ok {
			for _, s := range v {
				wd, ok := weekdays[strings.ToLower(strings.TrimSpace(s))]
				switch {
				case !ok:
					l.errorf(a.Expr.Range(), "Unknown weekday", "%q is not a weekday; use mon, tue, wed, thu, fri, sat or sun (or the full names).", s)
				case slices.Contains(w.Days, wd):
					l.errorf(a.Expr.Range(), "Invalid days", "days lists %s twice.", wd)
				default:
					w.Days = append(w.Days, wd)
				}
			}
			if len(v) == 0 {
				l.errorf(a.Expr.Range(), "Invalid days", "days lists no weekday, so the window would never open; omit it to open every day.")
			}
		}
	}
	if a := attrs["start"]; a != nil {
		if s, ok := l.dec.String(a); ok {
			m := clock.FindStringSubmatch(s)
			if m == nil {
				l.errorf(a.Expr.Range(), "Invalid start", "start must be a wall-clock time HH:MM between 00:00 and 23:59, got %q.", s)
			} else {
				h, _ := strconv.Atoi(m[1])
				mi, _ := strconv.Atoi(m[2])
				w.Start = time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute
			}
		}
	}
	a := attrs["hours"]
	h, ok := l.dec.Number(a)
	l.at(w.Src, "hours", a, ok)
	// Its range is rollout.Compile's to check; clamp what no Duration holds.
	w.Length = time.Duration(max(-1e6, min(h, 1e6)) * float64(time.Hour)).Round(time.Second)
	if a := attrs["zone"]; a != nil {
		s, ok := l.dec.String(a)
		if ok {
			loc, err := l.zone(s)
			if err != nil {
				l.errorf(a.Expr.Range(), "Unknown time zone", "%s.", err)
				ok = false
			}
			w.Zone = loc
		}
		l.at(w.Src, "zone", a, ok)
	} else {
		l.at(w.Src, "zone", nil, false)
	}
	return w
}

// zone loads an IANA time zone once per Load (see loadZone): a policy of
// thousands of tenants names a handful of zones, and a *time.Location is
// immutable.
func (l *loader) zone(name string) (*time.Location, error) {
	if z, ok := l.zones[name]; ok {
		return z.loc, z.err
	}
	loc, err := loadZone(name)
	l.zones[name] = zoneResult{loc, err}
	return loc, err
}

type zoneResult struct {
	loc *time.Location
	err error
}

// loadZone loads an IANA time zone. "Local" and "" are refused: a policy
// must mean the same thing on every machine.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("zone %q depends on the machine; name an IANA zone such as \"Europe/London\" or \"UTC\"", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("zone %q is not a known IANA time zone (such as \"Europe/London\" or \"UTC\")", name)
	}
	return loc, nil
}
