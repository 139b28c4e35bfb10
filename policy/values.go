package policy

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
)

// errorf appends an error diagnostic at rng.
func (l *loader) errorf(rng hcl.Range, summary, format string, args ...any) {
	l.dec.Errorf(rng, summary, format, args...)
}

// report records a diagnostic of the decoder.
func (l *loader) report(d *hcl.Diagnostic) {
	l.diags = append(l.diags, d)
	if d.Severity == hcl.DiagError {
		l.nerr++
	}
}

// ParseDuration parses a duration as written in a policy: Go's syntax
// (time.ParseDuration: "30m", "2h", "1h30m", "90s") plus a leading count of
// days, "d", of 24 hours each ("2d", "1d12h", "1.5d"). A leading minus sign
// is accepted (the caller decides whether a negative duration makes sense).
// A duration too long for a time.Duration is an error that says so.
func ParseDuration(s string) (time.Duration, error) { return hclattr.ParseDuration(s) }
