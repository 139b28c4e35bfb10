package simulate

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteText writes a report for people: the scenario, the metrics (the
// run's values, or their p50/p95/max over several runs) and the first
// run's decisions.
func WriteText(w io.Writer, sc *Scenario, rep *Report) error {
	b := bufio.NewWriter(w)
	first := rep.Runs[0]
	fmt.Fprintf(b, "scenario %s under rollout %q: %s hosts, %s targeted; release %s\n",
		rep.Scenario, rep.Policy, group(first.Hosts), group(first.Targeted), sc.Update.Release.UTC().Format(time.RFC3339))
	if len(rep.Runs) == 1 {
		fmt.Fprintf(b, "seed %d, 1 run\n\n", rep.Seed)
		for _, m := range Metrics[1:] {
			v, ok := first.Metric(m)
			fmt.Fprintf(b, "  %-24s %s\n", m, metricText(m, v, ok))
		}
	} else {
		fmt.Fprintf(b, "seed %d, %d runs\n\n", rep.Seed, len(rep.Runs))
		fmt.Fprintf(b, "  %-24s %14s %14s %14s\n", "", "p50", "p95", "max")
		for _, m := range Metrics[1:] {
			q := rep.Aggregate[m]
			cell := func(p *float64) string {
				if p == nil {
					return metricText(m, 0, false)
				}
				return metricText(m, *p, true)
			}
			fmt.Fprintf(b, "  %-24s %14s %14s %14s\n", m, cell(q.P50), cell(q.P95), cell(q.Max))
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
	return b.Flush()
}

func metricText(name string, v float64, ok bool) string {
	switch {
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
