package review

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxCommentBytes is the default size bound of a Markdown comment: GitHub
// refuses comments of 65,536 characters or more, and no character takes
// fewer bytes than it counts as, so a comment under this many bytes always
// fits, with room for a workflow to add a line.
const MaxCommentBytes = 65_000

// MarkdownOptions configure WriteMarkdown. The zero value is usable.
type MarkdownOptions struct {
	// MaxBytes bounds the comment (0: MaxCommentBytes). A larger review
	// is trimmed, in this order, until it fits: charts of scenarios
	// without a clear change or a violated budget; every chart; the diff
	// beyond its first changes and the tables of scenarios without a clear
	// change; every metric table; then whole scenarios, those with a
	// violated budget or a clear change last. The comment says what was
	// left out.
	MaxBytes int
}

// trim levels, each leaving out more than the one before.
const (
	trimNone = iota
	trimQuietCharts
	trimCharts
	trimQuietTables
	trimTables
	trimScenarios
)

var trimNotes = [...]string{
	"",
	"charts of scenarios without a clear change or a violated budget are left out",
	"charts are left out",
	"charts, the diff beyond its first %d changes and the tables of scenarios without a clear change are left out",
	"charts, the diff beyond its first %d changes and every metric table are left out",
	"charts, the diff beyond its first %d changes, every metric table and %s (those without a violated budget or a clear change first) are left out",
}

// diffLimit is how many changes the diff shows once trimmed.
const diffLimit = 40

// WriteMarkdown writes the report as a GitHub pull-request comment that
// starts with Marker.
func WriteMarkdown(w io.Writer, rep *Report, opts MarkdownOptions) error {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = MaxCommentBytes
	}
	var b bytes.Buffer
	for level := trimNone; level <= trimScenarios; level++ {
		shown := allShown(rep)
		if level == trimScenarios {
			// The most scenarios that fit, down to none: those with a
			// violated budget or a clear change first.
			order := priority(rep)
			lo, hi := 0, len(order)
			for lo < hi {
				mid := (lo + hi + 1) / 2
				b.Reset()
				writeMarkdown(&b, rep, level, showFirst(rep, order, mid), limit)
				if b.Len() <= limit {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			shown = showFirst(rep, order, lo)
		}
		b.Reset()
		writeMarkdown(&b, rep, level, shown, limit)
		if b.Len() <= limit {
			break
		}
	}
	if b.Len() > limit {
		// Even the heading and verdict do not fit: cut at a character
		// boundary and say so.
		note := "\n\n… (cut to fit)\n"
		cut := max(0, limit-len(note))
		for cut > 0 && !utf8.RuneStart(b.Bytes()[cut]) {
			cut--
		}
		b.Truncate(cut)
		b.WriteString(note)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func allShown(rep *Report) []bool {
	shown := make([]bool, len(rep.Scenarios))
	for i := range shown {
		shown[i] = true
	}
	return shown
}

// priority orders the scenarios for trimming: violated budgets, then
// clear changes, then the rest, each in report order.
func priority(rep *Report) []int {
	var out []int
	for pass := range 3 {
		for i := range rep.Scenarios {
			sr := &rep.Scenarios[i]
			violated := slices.ContainsFunc(sr.Budgets, func(b BudgetResult) bool { return !b.OK })
			switch {
			case pass == 0 && violated, pass == 1 && !violated && notable(sr), pass == 2 && !notable(sr):
				out = append(out, i)
			}
		}
	}
	return out
}

func showFirst(rep *Report, order []int, k int) []bool {
	shown := make([]bool, len(rep.Scenarios))
	for _, i := range order[:k] {
		shown[i] = true
	}
	return shown
}

var verdictHeads = map[string]string{
	VerdictInvalid:  "❌ **Invalid**",
	VerdictWorse:    "⚠️ **Worse**",
	VerdictTradeOff: "⚠️ **Trade-off**",
	VerdictBetter:   "✅ **Better**",
	VerdictNoClear:  "➖ **No clear change**",
	VerdictSame:     "➖ **No change**",
}

func writeMarkdown(b *bytes.Buffer, rep *Report, level int, shown []bool, limit int) {
	side := func(p string) string {
		if p == "" {
			return "each scenario's policy"
		}
		return code(p)
	}
	fmt.Fprintf(b, "%s\n## ringwise review: %s → %s\n\n", Marker, side(rep.Base), side(rep.Head))
	if rep.BudgetsChecked > 0 {
		if rep.BudgetsViolated > 0 {
			fmt.Fprintf(b, "❌ **%d of %s violated**\n\n", rep.BudgetsViolated, plural(rep.BudgetsChecked, "budget"))
		} else {
			fmt.Fprintf(b, "✅ **%s met**\n\n", map[bool]string{true: "The budget", false: "All " + plural(rep.BudgetsChecked, "budget")}[rep.BudgetsChecked == 1])
		}
	}
	fmt.Fprintf(b, "%s: %s\n", verdictHeads[rep.Verdict], rep.Summary)
	for _, d := range rep.Diagnostics {
		switch d.Side {
		case "scenario":
			fmt.Fprintf(b, "\nThe scenario %s does not load:\n\n", code(d.Path))
		case "suite":
			fmt.Fprintf(b, "\nThe suite %s does not load:\n\n", code(d.Path))
		default:
			fmt.Fprintf(b, "\n`ringwise check` on the %s policy (%s):\n\n", d.Side, code(d.Path))
		}
		f := fence(d.Text)
		fmt.Fprintf(b, "%s\n%s\n%s\n", f, strings.TrimSuffix(d.Text, "\n"), f)
	}
	if len(rep.Diagnostics) > 0 {
		return
	}
	if level > trimNone {
		note := trimNotes[level]
		switch level {
		case trimQuietTables, trimTables:
			note = fmt.Sprintf(note, diffLimit)
		case trimScenarios:
			hidden := 0
			for _, s := range shown {
				if !s {
					hidden++
				}
			}
			note = fmt.Sprintf(note, diffLimit, plural(hidden, "scenario"))
		}
		fmt.Fprintf(b, "\n> [!NOTE]\n> Trimmed to fit in %s bytes (a GitHub comment holds at most 65,536 characters): %s. `ringwise review -json` gives everything.\n", groupInt(limit), note)
	}
	writeDiffs(b, rep.Diffs, level >= trimQuietTables)
	var hidden []string
	for i := range rep.Scenarios {
		sr := &rep.Scenarios[i]
		if shown[i] {
			writeScenario(b, rep, sr, level)
			continue
		}
		name := code(sr.Name)
		if slices.ContainsFunc(sr.Budgets, func(b BudgetResult) bool { return !b.OK }) {
			name += " (❌ a budget)"
		}
		hidden = append(hidden, name)
	}
	if len(hidden) > 0 {
		fmt.Fprintf(b, "\nNot shown: %s.\n", strings.Join(hidden, ", "))
	}
	writeFooter(b, rep)
}

func notable(sr *ScenarioReport) bool {
	for _, m := range sr.Metrics {
		if m.Change == Worse || m.Change == Better {
			return true
		}
	}
	for _, bg := range sr.Budgets {
		if !bg.OK {
			return true
		}
	}
	return false
}

func writeScenario(b *bytes.Buffer, rep *Report, sr *ScenarioReport, level int) {
	fmt.Fprintf(b, "\n### %s\n\n", cell(sr.Name))
	fmt.Fprintf(b, "%s, %s hosts: blast radius **%s**%s, time to protection **%s**%s\n",
		code(sr.Path), groupInt(sr.Hosts), sr.BlastRadius, marker(sr.BlastRadius), sr.TimeToProtection, marker(sr.TimeToProtection))
	if len(sr.Budgets) > 0 {
		fmt.Fprintf(b, "\n| budget | base | head | |\n|:--|--:|--:|:-:|\n")
		for _, bg := range sr.Budgets {
			mark := "✅"
			if !bg.OK {
				mark = "❌"
			}
			text := bg.Text
			var bv, hv string
			if bg.Metric == "rolled_back" {
				bv, hv = rolledBack(rep.Runs, int(*bg.Base)), rolledBack(rep.Runs, int(*bg.Head))
			} else {
				if rep.Runs > 1 {
					text += " (" + bg.Quantile + ")"
				}
				bv, hv = metricCell(bg.Metric, bg.Base), metricCell(bg.Metric, bg.Head)
			}
			row(b, cell(text), bv, hv, mark)
		}
	}
	if level >= trimTables || level >= trimQuietTables && !notable(sr) {
		return
	}
	b.WriteString("\n")
	multi := rep.Runs > 1
	if multi {
		fmt.Fprintf(b, "| | base p50 | base p95 | head p50 | head p95 | change (p50) |\n|:--|--:|--:|--:|--:|:--|\n")
	} else {
		fmt.Fprintf(b, "| | base | head | change |\n|:--|--:|--:|:--|\n")
	}
	line := func(label, b50, b95, h50, h95, change string) {
		if multi {
			row(b, label, b50, b95, h50, h95, change)
		} else {
			row(b, label, b50, h50, change)
		}
	}
	line("rollout", code(sr.Base.Rollout), "", code(sr.Head.Rollout), "", "")
	line("plan digest", code(sr.Base.Digest), "", code(sr.Head.Digest), "", map[bool]string{true: "", false: "changed"}[sr.Base.Digest == sr.Head.Digest])
	line("hosts targeted", groupInt(sr.Base.Targeted), "", groupInt(sr.Head.Targeted), "", signedInt(sr.Head.Targeted-sr.Base.Targeted))
	for i, r := range rows {
		m := sr.Metrics[i]
		if r.metric == "rolled_back" {
			ch := ""
			if sr.Head.RolledBackRuns != sr.Base.RolledBackRuns {
				ch = "changed"
			}
			line(r.label, rolledBack(rep.Runs, sr.Base.RolledBackRuns), "", rolledBack(rep.Runs, sr.Head.RolledBackRuns), "", ch)
			continue
		}
		ch := metricDelta(r.metric, m.Base.P50, m.Head.P50)
		switch m.Change {
		case Worse, Better:
			ch += marker(m.Change)
			if m.PValue != nil {
				ch += " " + pText(*m.PValue)
			}
		case NoClear:
			if ch == "" {
				ch = "no clear change"
			} else {
				ch += " (no clear change)"
			}
		}
		line(r.label, metricCell(r.metric, m.Base.P50), metricCell(r.metric, m.Base.P95), metricCell(r.metric, m.Head.P50), metricCell(r.metric, m.Head.P95), ch)
	}
	if level < trimCharts && (level < trimQuietCharts || notable(sr)) {
		writeCharts(b, sr)
	}
}

func rolledBack(runs, k int) string {
	if runs == 1 {
		return map[bool]string{true: "yes", false: "no"}[k == 1]
	}
	return fmt.Sprintf("%d of %d runs", k, runs)
}

func writeFooter(b *bytes.Buffer, rep *Report) {
	var s strings.Builder
	if rep.Paired {
		fmt.Fprintf(&s, "%s per scenario and side, the same seeds (from %d) on both", plural(rep.Runs, "run"), rep.Seed)
	} else {
		fmt.Fprintf(&s, "%s per scenario and side, base's seeds from %d, head's from %d", plural(rep.Runs, "run"), rep.Seed, rep.HeadSeed)
	}
	if rep.Runs > 1 {
		s.WriteString("; p50 and p95: the median and the 95th percentile over the runs (nearest rank)")
	}
	if rep.Paired {
		s.WriteString(". ⚠️ worse and ✅ better only where a two-sided Wilcoxon signed-rank test on the per-seed differences")
	} else {
		s.WriteString(". ⚠️ worse and ✅ better only where a two-sided Wilcoxon-Mann-Whitney rank-sum test")
	}
	fmt.Fprintf(&s, " rejects \"no difference\" under the Benjamini-Hochberg procedure at a false-discovery rate of %g%% over the %s tested (blast radius; time to protection on good updates); otherwise no clear change.",
		rep.Level*100, plural(rep.Tested, "metric"))
	if p := minP(rep.Runs, rep.Paired); p > rep.Level {
		fmt.Fprintf(&s, " With %s no difference can be told from noise (the smallest p-value possible is %s): use more runs.", plural(rep.Runs, "run"), strings.TrimPrefix(pText(p), "p="))
	}
	if p := minP(rep.Runs, rep.Paired); p <= rep.Level && rep.Runs < DefaultRuns && rep.Verdict == VerdictNoClear {
		fmt.Fprintf(&s, " With %s a change must be seen in every pair of several metrics to be called worse or better: more runs tell smaller changes from noise.", plural(rep.Runs, "run"))
	}
	s.WriteString(" Times count from the release; never: not within the scenario's horizon.")
	if rep.BudgetsChecked > 0 {
		s.WriteString(" Budgets judge head alone, at their quantile.")
	}
	fmt.Fprintf(b, "\n<sub>%s</sub>\n", s.String())
}

// minP is the smallest two-sided p-value the test can reach with n runs
// a side.
func minP(n int, paired bool) float64 {
	if paired {
		return minPairedP(n)
	}
	// 2 / C(2n, n)
	c := 1.0
	for i := 1; i <= n; i++ {
		c = c * float64(n+i) / float64(i)
	}
	return math.Min(1, 2/c)
}

// writeDiffs writes the semantic diff of each pair of policies.
func writeDiffs(b *bytes.Buffer, diffs []PolicyDiff, trimmed bool) {
	if len(diffs) == 0 {
		return
	}
	b.WriteString("\n### What changed\n")
	for _, d := range diffs {
		b.WriteString("\n")
		if len(diffs) > 1 {
			fmt.Fprintf(b, "%s → %s: ", code(d.Base), code(d.Head))
		}
		switch d.Status {
		case DiffIdentical:
			b.WriteString("The policies are identical.\n")
			continue
		case DiffReformatted:
			what := "1 file differs"
			if d.Files != 1 {
				what = fmt.Sprintf("%d files differ", d.Files)
			}
			fmt.Fprintf(b, "No rule changed: %s only in formatting, comments or layout.\n", what)
			continue
		}
		fmt.Fprintf(b, "%s (`-` base, `+` head):\n\n", plural(len(d.Changes), "change"))
		changes := d.Changes
		if trimmed && len(changes) > diffLimit {
			changes = changes[:diffLimit]
		}
		fmt.Fprintf(b, "```diff\n%s```\n", diffText(changes))
		if len(changes) < len(d.Changes) {
			fmt.Fprintf(b, "\n… and %s more.\n", plural(len(d.Changes)-len(changes), "change"))
		}
	}
}

// diffText renders changes like a plan: the enclosing blocks as context,
// then "-" for base's side and "+" for head's, each with its FILE:LINE.
func diffText(changes []Change) string {
	var lines [][2]string // text, location
	var open []string
	for _, c := range changes {
		depth := len(c.Path) - 1
		common := 0
		for common < len(open) && common < depth && open[common] == c.Path[common] {
			common++
		}
		open = append(open[:common], c.Path[common:depth]...)
		for i := common; i < depth; i++ {
			lines = append(lines, [2]string{"  " + strings.Repeat("  ", i) + c.Path[i], ""})
		}
		ind := strings.Repeat("  ", depth)
		last := c.Path[depth]
		switch c.Op {
		case "added":
			lines = append(lines, [2]string{"+ " + ind + last + " " + c.New, c.NewAt})
		case "removed":
			lines = append(lines, [2]string{"- " + ind + last + " " + c.Old, c.OldAt})
		default:
			lines = append(lines, [2]string{"- " + ind + last + " = " + c.Old, c.OldAt}, [2]string{"+ " + ind + last + " = " + c.New, c.NewAt})
		}
	}
	width := 0
	for _, l := range lines {
		if l[1] != "" {
			width = max(width, utf8.RuneCountInString(l[0]))
		}
	}
	width = min(width, 60)
	var s strings.Builder
	for _, l := range lines {
		s.WriteString(l[0])
		if l[1] != "" {
			s.WriteString(strings.Repeat(" ", max(1, width+2-utf8.RuneCountInString(l[0]))))
			s.WriteString("# " + l[1])
		}
		s.WriteString("\n")
	}
	return s.String()
}
