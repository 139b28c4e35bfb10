package review

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ringwise/ringwise/simulate"
)

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return groupInt(n) + " " + noun + "s"
}

func invalidSummary(diags []Diagnostic) string {
	what := map[string]string{"base": "the base policy", "head": "the head policy", "scenario": "a scenario", "suite": "the suite"}
	var parts []string
	for _, side := range []string{"base", "head", "scenario", "suite"} {
		if slices.ContainsFunc(diags, func(d Diagnostic) bool { return d.Side == side }) {
			parts = append(parts, what[side])
		}
	}
	if len(parts) == 0 {
		return "Nothing was simulated."
	}
	return fmt.Sprintf("Nothing was simulated: %s does not load.", strings.Join(parts, " and "))
}

// row writes a table row; an empty cell is "| |".
func row(w io.Writer, cells ...string) {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			b.WriteString(" " + c)
		}
		b.WriteString(" |")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

func marker(change string) string {
	switch change {
	case Worse, "larger", "slower", "mixed":
		return " ⚠️"
	case Better, "smaller", "faster":
		return " ✅"
	}
	return ""
}

// metricCell renders a metric's value for the table.
func metricCell(metric string, p *float64) string {
	if p == nil {
		return "never"
	}
	v := *p
	switch {
	case metric == "outage_seconds":
		return spanText(int64(v))
	case strings.HasSuffix(metric, "_seconds"):
		return simulate.Clock(int64(v))
	case metric == "host_hours_down":
		return hours(v)
	}
	return groupInt(int(math.Round(v)))
}

// metricDelta renders head minus base, or how reaching a time changed;
// "" when they are the same.
func metricDelta(metric string, base, head *float64) string {
	switch {
	case base == nil && head == nil:
		return ""
	case base == nil:
		return "was never"
	case head == nil:
		return "now never"
	}
	d := *head - *base
	switch {
	case strings.HasSuffix(metric, "_seconds"):
		if d == 0 {
			return ""
		}
		s := spanText(int64(math.Abs(d)))
		if d < 0 {
			return "-" + s
		}
		return "+" + s
	case metric == "host_hours_down":
		d = math.Round(*head*10)/10 - math.Round(*base*10)/10
		if math.Abs(d) < 0.05 {
			return ""
		}
		if d < 0 {
			return "-" + hours(-d)
		}
		return "+" + hours(d)
	}
	return signedInt(int(math.Round(d)))
}

// spanText renders seconds as 27m20s, 2h05m or 1d02h03m.
func spanText(s int64) string { return strings.TrimPrefix(simulate.Clock(s), "+") }

// hours renders host-hours: one decimal below 100, whole above.
func hours(v float64) string {
	if v < 99.95 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return groupInt(int(v + 0.5))
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func signedInt(n int) string {
	switch {
	case n > 0:
		return "+" + groupInt(n)
	case n < 0:
		return "-" + groupInt(-n)
	}
	return ""
}

// groupInt renders n with thousands separators.
func groupInt(n int) string {
	if n < 0 {
		return "-" + groupInt(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// code renders s as inline code in a table cell.
func code(s string) string {
	n := 0
	for _, run := range strings.FieldsFunc(s, func(r rune) bool { return r != '`' }) {
		n = max(n, len(run))
	}
	tick := strings.Repeat("`", n+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return tick + pad + cell(s) + pad + tick
}

// cell escapes what would break a table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// fence returns a code fence longer than any run of backticks in s.
func fence(s string) string {
	n := 2
	for _, run := range strings.FieldsFunc(s, func(r rune) bool { return r != '`' }) {
		n = max(n, len(run))
	}
	return strings.Repeat("`", n+1)
}

// pText renders a p-value for the table.
func pText(p float64) string {
	switch {
	case p < 0.0001:
		return "p<0.0001"
	case p < 0.001:
		return "p=" + strconv.FormatFloat(p, 'f', 4, 64)
	}
	return "p=" + strconv.FormatFloat(p, 'f', 3, 64)
}
