package simulate

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// chartLine is one line of the chart.
type chartLine struct {
	name  string
	color string
	dash  string
	value func(Point) int
}

var chartSeries = []chartLine{
	{"exposed (took the update)", "#1f77b4", "", func(p Point) int { return p.Exposed }},
	{"updated and healthy", "#2ca02c", "", func(p Point) int { return p.Updated }},
	{"failed (down or degraded)", "#d62728", "", func(p Point) int { return p.Crashed + p.BootLoop + p.Degraded }},
	{"silent (up, not reporting)", "#9467bd", "6 3", func(p Point) int { return p.Silent }},
	{"repaired (boot loop fixed)", "#ff7f0e", "", func(p Point) int { return p.Repaired }},
	{"reverted (took the rollback)", "#7f7f7f", "2 2", func(p Point) int { return p.Reverted }},
}

// WriteSVG writes a chart of a run: hosts exposed, updated, failed, silent
// and repaired over time since the release, with the rollout's decisions
// marked (advances as ticks along the top, stops as labelled lines).
func WriteSVG(w io.Writer, sc *Scenario, policy string, r *Result) error {
	const (
		width, height          = 960, 540
		left, right, top, foot = 90, 250, 70, 60
	)
	pw, ph := float64(width-left-right), float64(height-top-foot)
	b := bufio.NewWriter(w)
	end := int64(sc.Horizon.Seconds())
	if n := len(r.Timeline); n > 0 {
		end = max(end, r.Timeline[n-1].T)
	}
	end = max(end, 1)
	ymax := 1
	for _, p := range r.Timeline {
		for _, s := range chartSeries {
			ymax = max(ymax, s.value(p))
		}
	}
	yTop, yStep := niceAxis(float64(ymax))
	unit, unitName := timeUnit(end)
	xTop, xStep := niceAxis(float64(end) / unit)
	x := func(t int64) float64 { return left + pw*float64(t)/unit/xTop }
	y := func(v int) float64 { return top + ph*(1-float64(v)/yTop) }

	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	title := fmt.Sprintf("%s under rollout %q (seed %d)", sc.Name, policy, r.Seed)
	fmt.Fprintf(b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", left, esc(title))
	sub := fmt.Sprintf("%s hosts, %s targeted; exposed %s, failed %s (peak %s), halted %s, %s host-hours down",
		group(r.Hosts), group(r.Targeted), group(r.Exposed), group(r.Failed), group(r.FailedPeak), clockOr(r.HaltedAfter, "never"), group(int(r.HostHoursDown+0.5)))
	fmt.Fprintf(b, `<text x="%d" y="44" fill="#444">%s</text>`+"\n", left, esc(sub))

	// Grid and axes.
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		yy := top + ph*(1-v/yTop)
		fmt.Fprintf(b, `<line x1="%d" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", left, left+pw, yy, yy)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-6, yy, group(int(v)))
	}
	for v := 0.0; v <= xTop+xStep/2; v += xStep {
		xx := left + pw*v/xTop
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="#e5e5e5"/>`+"\n", xx, xx, top, top+ph)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", xx, top+ph+16, trimFloat(v))
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="#333"/>`+"\n", left, top, pw, ph)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">time since release (%s)</text>`+"\n", left+pw/2, height-18, unitName)
	fmt.Fprintf(b, `<text transform="translate(20 %.1f) rotate(-90)" text-anchor="middle">hosts</text>`+"\n", top+ph/2)

	// Decisions.
	for _, d := range r.Decisions {
		xx := x(d.At)
		switch d.Action {
		case "advance":
			fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#555"><title>%s</title></line>`+"\n", xx, xx, top-8, top, esc(decisionTitle(d)))
		case "hold":
		default:
			color := map[string]string{"halt": "#e08000", "rollback": "#c00000", "complete": "#2ca02c"}[d.Action]
			if color == "" {
				color = "#555"
			}
			fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="%s" stroke-dasharray="4 3"><title>%s</title></line>`+"\n", xx, xx, top-8, top+ph, color, esc(decisionTitle(d)))
			fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="%s" font-size="11">%s %s</text>`+"\n", xx+3, top+12, color, esc(d.Action), esc(Clock(d.At)))
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" fill="#555" font-size="10">ticks: rollout advances</text>`+"\n", left, top-12)

	// Lines.
	for _, s := range chartSeries {
		var pts strings.Builder
		for k, p := range r.Timeline {
			if k > 0 {
				pts.WriteByte(' ')
			}
			fmt.Fprintf(&pts, "%.1f,%.1f", x(p.T), y(s.value(p)))
		}
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", s.color, dash, pts.String())
	}

	// Legend.
	lx := float64(left) + pw + 20
	for k, s := range chartSeries {
		ly := float64(top + 10 + 22*k)
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", lx, lx+24, ly, ly, s.color, dash)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`+"\n", lx+30, ly, esc(s.name))
	}
	ly := float64(top + 10 + 22*len(chartSeries))
	fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#c00000" stroke-dasharray="4 3"/>`+"\n", lx+12, lx+12, ly-8, ly+8)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" dominant-baseline="middle">halt / rollback / complete</text>`+"\n", lx+30, ly)
	fmt.Fprintf(b, "</svg>\n")
	return b.Flush()
}

func decisionTitle(d Decision) string {
	s := fmt.Sprintf("%s %s ring %s step %d", Clock(d.At), d.Action, d.Ring, d.Step)
	if len(d.Reasons) > 0 {
		s += ": " + strings.Join(d.Reasons, "; ")
	}
	return s
}

func clockOr(s *int64, none string) string {
	if s == nil {
		return none
	}
	return Clock(*s)
}

func esc(s string) string { return html.EscapeString(s) }

// timeUnit picks the x axis unit for a span of seconds.
func timeUnit(span int64) (float64, string) {
	switch {
	case span <= 3*3600:
		return 60, "minutes"
	case span <= 4*86400:
		return 3600, "hours"
	}
	return 86400, "days"
}

// niceAxis returns an axis end at or above v and a step of 1, 2 or 5
// times a power of ten giving 4 to 10 ticks.
func niceAxis(v float64) (end, step float64) {
	if v <= 0 {
		return 1, 1
	}
	raw := v / 6
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		step = m * p
		if raw <= step {
			break
		}
	}
	step = max(step, 1e-9)
	return math.Ceil(v/step) * step, step
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}
