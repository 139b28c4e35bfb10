package review

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ringwise/ringwise/simulate"
)

// ChartPoints is the number of points per line of a chart: enough to show
// the steps of a rollout, few enough to read and to keep a suite's comment
// small.
const ChartPoints = 25

// Chart is a scenario's fleet over time on both sides: at each time, the
// median over the runs of the hosts that have taken the update
// (simulate.Point.Exposed: how far the rollout got, whatever became of the
// hosts) and of the hosts failed.
type Chart struct {
	T           []int64 `json:"t"` // seconds after the release
	BaseUpdated []int   `json:"base_updated"`
	HeadUpdated []int   `json:"head_updated"`
	BaseFailed  []int   `json:"base_failed"`
	HeadFailed  []int   `json:"head_failed"`
}

// chartFor samples both sides' timelines from the release until the last
// change on either side (within the horizon).
func chartFor(sc *simulate.Scenario, base, head []*simulate.Result) Chart {
	var end int64
	for _, runs := range [][]*simulate.Result{base, head} {
		for _, r := range runs {
			end = max(end, lastChange(r.Timeline))
		}
	}
	step := max(int64(sc.Sample.Seconds()), 1)
	// Leave one point after the last change, and round the interval to
	// the timeline's sample so every point is a sampled time.
	span := end + step
	per := max(step, (span+ChartPoints-2)/(ChartPoints-1)/step*step)
	if per*(ChartPoints-1) < span {
		per += step
	}
	horizon := int64(sc.Horizon.Seconds())
	var c Chart
	for i := range ChartPoints {
		t := int64(i) * per
		if t > horizon {
			break
		}
		c.T = append(c.T, t)
	}
	med := func(runs []*simulate.Result, get func(simulate.Point) int) []int {
		out := make([]int, len(c.T))
		vs := make([]int, len(runs))
		for i, t := range c.T {
			for k, r := range runs {
				vs[k] = get(at(r.Timeline, t))
			}
			slices.Sort(vs)
			out[i] = vs[(len(vs)-1)/2] // the lower median, a value some run had
		}
		return out
	}
	updated := func(p simulate.Point) int { return p.Exposed }
	failed := func(p simulate.Point) int { return p.Failed() }
	c.BaseUpdated, c.HeadUpdated = med(base, updated), med(head, updated)
	c.BaseFailed, c.HeadFailed = med(base, failed), med(head, failed)
	return c
}

// lastChange returns the time of the last point whose exposed or failed
// count differs from the point before it.
func lastChange(tl []simulate.Point) int64 {
	for i := len(tl) - 1; i > 0; i-- {
		if tl[i].Exposed != tl[i-1].Exposed || tl[i].Failed() != tl[i-1].Failed() {
			return tl[i].T
		}
	}
	return 0
}

// at returns the last point at or before t (the first point before it).
func at(tl []simulate.Point, t int64) simulate.Point {
	i, _ := slices.BinarySearchFunc(tl, t, func(p simulate.Point, t int64) int {
		switch {
		case p.T < t:
			return -1
		case p.T > t:
			return 1
		}
		return 0
	})
	if i < len(tl) && tl[i].T == t {
		return tl[i]
	}
	if i == 0 {
		if len(tl) == 0 {
			return simulate.Point{}
		}
		return tl[0]
	}
	return tl[i-1]
}

// chartColors are base's and head's lines: grey and blue, distinguishable
// in GitHub's light and dark themes and by most colour-blind readers.
const chartColors = "#8c959f, #0969da"

// writeCharts writes a scenario's charts as Mermaid xychart-beta blocks:
// hosts updated, and hosts failed when any failed.
func writeCharts(w io.Writer, sr *ScenarioReport) {
	c := &sr.Chart
	if len(c.T) < 2 {
		return
	}
	labels := make([]string, len(c.T))
	for i, t := range c.T {
		labels[i] = strconv.Quote(shortClock(t))
	}
	chart := func(title string, b, h []int) {
		top := max(slices.Max(b), slices.Max(h), 1)
		fmt.Fprintf(w, "\n```mermaid\n%%%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"%s\"}}}}%%%%\nxychart-beta\n", chartColors)
		fmt.Fprintf(w, "  title %s\n", strconv.Quote(title))
		fmt.Fprintf(w, "  x-axis \"time after release\" [%s]\n", strings.Join(labels, ", "))
		fmt.Fprintf(w, "  y-axis \"hosts\" 0 --> %d\n", niceTop(top))
		fmt.Fprintf(w, "  line [%s]\n  line [%s]\n```\n", ints(b), ints(h))
	}
	chart("hosts that took the update: base grey, head blue", c.BaseUpdated, c.HeadUpdated)
	if slices.Max(c.BaseFailed) > 0 || slices.Max(c.HeadFailed) > 0 {
		chart("hosts failed: base grey, head blue", c.BaseFailed, c.HeadFailed)
	}
}

// niceTop rounds n up to two significant digits.
func niceTop(n int) int {
	mag := 1
	for n/mag >= 100 {
		mag *= 10
	}
	return (n + mag - 1) / mag * mag
}

// shortClock renders seconds after the release as an axis label: 0, 45s,
// 20m, 1h, 1h20m, 2d, 1d06h.
func shortClock(s int64) string {
	d, h, m, sec := s/86400, s/3600%24, s/60%60, s%60
	var b strings.Builder
	if d > 0 {
		fmt.Fprintf(&b, "%dd", d)
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 && d == 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 && d == 0 && h == 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	if b.Len() == 0 {
		return "0"
	}
	return b.String()
}

func ints(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}
