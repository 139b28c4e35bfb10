package hclattr

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	daysPrefix = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)d`)
	// durationSyntax is Go's duration syntax, which time.ParseDuration
	// refuses only when the value overflows.
	durationSyntax = regexp.MustCompile(`^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)
)

// ParseDuration parses a duration as written in a policy: Go's syntax
// (time.ParseDuration: "30m", "2h", "1h30m", "90s") plus a leading count of
// days, "d", of 24 hours each ("2d", "1d12h", "1.5d"). A leading minus sign
// is accepted (the caller decides whether a negative duration makes sense).
func ParseDuration(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("invalid duration %q: write a number and a unit, such as 30m, 2h, 1h30m or 2d", s)
	}
	rest, neg := s, false
	if strings.HasPrefix(rest, "-") {
		rest, neg = rest[1:], true
	} else if strings.HasPrefix(rest, "+") {
		rest = rest[1:]
	}
	var d time.Duration
	if m := daysPrefix.FindStringSubmatch(rest); m != nil {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return bad()
		}
		if n > 100000 {
			return 0, fmt.Errorf("duration %q is too long: at most 100000d can be written in days", s)
		}
		d = time.Duration(n * float64(24*time.Hour))
		rest = rest[len(m[0]):]
		if rest == "" {
			if neg {
				d = -d
			}
			return d, nil
		}
	}
	if rest == "" || rest[0] == '-' || rest[0] == '+' {
		return bad()
	}
	x, err := time.ParseDuration(rest)
	if err != nil && durationSyntax.MatchString(rest) || err == nil && x > math.MaxInt64-d {
		return 0, fmt.Errorf("duration %q is too long: the longest a duration can be is %s (about 292 years)", s, time.Duration(math.MaxInt64).Truncate(time.Hour))
	}
	if err != nil {
		return bad()
	}
	d += x
	if neg {
		d = -d
	}
	return d, nil
}
