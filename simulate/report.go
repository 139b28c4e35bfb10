package simulate

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A MetricDoc says what a metric of Metrics is, for people: the label a
// report shows and a one-line definition.
type MetricDoc struct {
	Name, Label, Legend string
}

// MetricDocs describes every metric of Metrics, in the same order. Reports
// for people (WriteText, the CLI's -h, review's comments) use these labels
// rather than the JSON names.
var MetricDocs = []MetricDoc{
	{"hosts", "hosts", "hosts in the fleet"},
	{"exposed", "hosts exposed", "hosts that took the update"},
	{"failed", "hosts failed", "hosts that failed because of the update (crashed, boot-looping, silent or degraded)"},
	{"failed_peak", "failed at once (peak)", "the most hosts failed at the same time"},
	{"manual_repairs", "manual repairs", "boot-looping hosts that people repaired by hand"},
	{"host_hours_down", "host-hours down", "hours that hosts spent crashed or boot-looping, summed"},
	{"detected_after_seconds", "time to detect", "when telemetry first showed a failure the update caused"},
	{"halted_after_seconds", "time to halt", "when the push stopped: a halt or rollback, by a trigger, a gate or people"},
	{"rolled_back", "rolled back", "whether the update was rolled back"},
	{"coverage_50_seconds", "50% protected", "when 50% of the targeted hosts first ran the update, healthy"},
	{"coverage_95_seconds", "95% protected", "the same for 95%"},
	{"coverage_99_seconds", "99% protected", "the same for 99%"},
	{"recovered_99_seconds", "99% recovered", "when 99% of the hosts that failed were back"},
	{"outage_seconds", "outage (≥10% down)", "how long at least 10% of the targeted hosts were down at once"},
}

// MetricLabel returns the label of the metric named name (see MetricDocs),
// or name itself for an unknown one.
func MetricLabel(name string) string {
	for _, d := range MetricDocs {
		if d.Name == name {
			return d.Label
		}
	}
	return name
}

// WriteLegend writes one line per metric (but hosts), "label  definition",
// each starting with indent, and a line on how times read.
func WriteLegend(w io.Writer, indent string) error {
	width := 0
	for _, d := range MetricDocs[1:] {
		width = max(width, utf8.RuneCountInString(d.Label))
	}
	b := bufio.NewWriter(w)
	for _, d := range MetricDocs[1:] {
		fmt.Fprintf(b, "%s%s  %s\n", indent, pad(d.Label, width), d.Legend)
	}
	fmt.Fprintf(b, "%stimes count from the release (+2h05m); never: not within the scenario's horizon\n", indent)
	return b.Flush()
}

// pad right-pads s with spaces to width runes.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

// leftPad left-pads s with spaces to width runes.
func leftPad(s string, width int) string {
	return strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s))) + s
}

// WriteText writes a report for people: the scenario, the metrics (the
// run's values, or their p50/p95/max over several runs) under the labels
// of MetricDocs, the first run's decisions, and a legend.
func WriteText(w io.Writer, sc *Scenario, rep *Report) error {
	b := bufio.NewWriter(w)
	first := rep.Runs[0]
	fmt.Fprintf(b, "scenario %s under rollout %q: %s hosts, %s targeted; release %s\n",
		rep.Scenario, rep.Policy, group(first.Hosts), group(first.Targeted), sc.Update.Release.UTC().Format(time.RFC3339))
	const width = 22
	if len(rep.Runs) == 1 {
		fmt.Fprintf(b, "seed %d, 1 run\n\n", rep.Seed)
		for _, d := range MetricDocs[1:] {
			v, ok := first.Metric(d.Name)
			fmt.Fprintf(b, "  %s %s\n", pad(d.Label, width), metricText(d.Name, v, ok))
		}
	} else {
		fmt.Fprintf(b, "seed %d, %d runs\n\n", rep.Seed, len(rep.Runs))
		fmt.Fprintf(b, "  %s %12s %12s %12s\n", pad("", width), "p50", "p95", "max")
		for _, d := range MetricDocs[1:] {
			q := rep.Aggregate[d.Name]
			cell := func(p *float64) string {
				if p == nil {
					return leftPad(metricText(d.Name, 0, false), 12)
				}
				return leftPad(metricText(d.Name, *p, true), 12)
			}
			fmt.Fprintf(b, "  %s %s %s %s\n", pad(d.Label, width), cell(q.P50), cell(q.P95), cell(q.Max))
		}
	}
	fmt.Fprintf(b, "\ndecisions (seed %d), at time after release:\n", first.Seed)
	for _, d := range first.Decisions {
		pos := ""
		if d.Ring != "" {
			pos = fmt.Sprintf(" ring %s step %d", d.Ring, d.Step)
		}
		fmt.Fprintf(b, "  %10s %-8s%s\n", Clock(d.At), d.Action, pos)
		for _, r := range d.Reasons {
			fmt.Fprintf(b, "             %s\n", r)
		}
	}
	fmt.Fprintf(b, "\nlegend (horizon %s):\n", strings.TrimPrefix(Clock(int64(sc.Horizon/time.Second)), "+"))
	if err := b.Flush(); err != nil {
		return err
	}
	return WriteLegend(w, "  ")
}

// MetricText renders a value of the metric named name (see Metrics) as
// reports for people show it: counts with thousands separators, times
// after the release as +2h05m, the outage as a length (27m20s), "never"
// for a time not reached (ok false), yes or no.
func MetricText(name string, v float64, ok bool) string { return metricText(name, v, ok) }

func metricText(name string, v float64, ok bool) string {
	switch {
	case name == "outage_seconds": // a length of time, not a time after the release
		if !ok {
			return "never"
		}
		return strings.TrimPrefix(Clock(int64(v)), "+")
	case strings.HasSuffix(name, "_seconds"):
		if !ok {
			return "never"
		}
		return Clock(int64(v))
	case name == "rolled_back":
		if v == 1 {
			return "yes"
		}
		if v == 0 {
			return "no"
		}
		return strconv.FormatFloat(v, 'g', 3, 64)
	case name == "host_hours_down" && v < 10 && v != float64(int(v)):
		return strconv.FormatFloat(v, 'f', 1, 64)
	case name == "host_hours_down":
		return group(int(v + 0.5))
	}
	return group(int(v))
}

// Clock renders seconds after the release as +1d02h03m, +2h05m or +45s.
func Clock(s int64) string {
	d, h, m, sec := s/86400, s/3600%24, s/60%60, s%60
	switch {
	case d > 0:
		return fmt.Sprintf("+%dd%02dh%02dm", d, h, m)
	case h > 0:
		return fmt.Sprintf("+%dh%02dm", h, m)
	case m > 0 && sec == 0:
		return fmt.Sprintf("+%dm", m)
	case m > 0:
		return fmt.Sprintf("+%dm%02ds", m, sec)
	}
	return fmt.Sprintf("+%ds", sec)
}

// group renders n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// WriteCSV writes a run's timeline, one row per point.
func WriteCSV(w io.Writer, r *Result) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "t_seconds,exposed,waiting,updated,crashed,boot_loop,silent,degraded,reverted,repaired")
	for _, p := range r.Timeline {
		fmt.Fprintf(b, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n", p.T, p.Exposed, p.Waiting, p.Updated, p.Crashed, p.BootLoop, p.Silent, p.Degraded, p.Reverted, p.Repaired)
	}
	return b.Flush()
}
