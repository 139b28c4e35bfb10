package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

func init() {
	commands = append(commands, command{"review", "compare two versions of a policy on scenarios, as a PR comment", runReview})
}

// reviewMarker opens every comment, so a bot can find and update its own.
const reviewMarker = "<!-- ringwise-review -->"

func runReview(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("review", "[-base PATH] [-head PATH] [-root DIR] [-runs N] [-seed N] [-json] SCENARIO...", `
Review compares two versions of a policy, base (before the change) and head
(after it), on each scenario: a scenario file, or every scenario.hcl under
a directory, in order. Both sides run the same seeds. It prints a GitHub
Markdown comment for the pull request: a verdict, then for each scenario
the rollout and plan digest each side picks and the median over the runs
of the blast radius (hosts failed, at once, repaired by hand, host-hours
down, outage), of the response (time to detect, halt, rolled back) and of
the time to protection (50%, 95% and 99% of targeted hosts updated and
healthy), marked ⚠️ where head is worse and ✅ where it is better.

A side without -base or -head is each scenario's own policy attribute,
which must resolve inside the scenario file's directory, or inside -root
DIR (say, the repository's top): a path or symbolic link that leads out
of it, or a file that is not a policy file, is refused and never read.
Policies load as with ringwise check, Rego gates included.

Exit status: 0 when the comparison ran, whatever it found (a reviewer
decides); 1 for an invalid scenario or policy (the diagnostics on stderr,
and in the comment as a fenced block); 2 for a usage error.`)
	base := fs.String("base", "", "the policy before the change, a file or directory (default: each scenario's)")
	head := fs.String("head", "", "the policy after the change, a file or directory (default: each scenario's)")
	runs := fs.Int("runs", 3, "runs per scenario and side (Monte Carlo); cells are medians")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	rootDir := fs.String("root", "", "the directory each scenario's policy attribute must resolve inside (default: the scenario file's directory)")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "ringwise review: "+format+"\n", args...)
		usageError(fs, stderr)
		return 2
	}
	switch {
	case fs.NArg() == 0:
		return fail("no scenarios given")
	case *base == "" && *head == "":
		return fail("give -base, -head or both: there is nothing to compare")
	case *runs < 1 || *runs > 10000:
		return fail("-runs must be in [1, 10000], got %d", *runs)
	}
	rv := &review{Base: *base, Head: *head, Seed: *seed, Runs: *runs, root: *rootDir}
	rv.load(fs.Args())
	for _, d := range rv.Diagnostics {
		io.WriteString(stderr, d.Text)
	}
	if len(rv.Diagnostics) == 0 {
		if err := rv.simulate(); err != nil {
			fmt.Fprintf(stderr, "ringwise review: %v\n", err)
			return 1
		}
	}
	rv.Verdict, rv.Summary = rv.verdict()
	var err error
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rv)
	} else {
		err = rv.writeMarkdown(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ringwise review: %v\n", err)
		return 1
	}
	if len(rv.Diagnostics) > 0 {
		return 1
	}
	return 0
}

// review is the comparison; it is also the -json output.
type review struct {
	Base string `json:"base"` // "" for each scenario's own policy
	Head string `json:"head"`
	Seed uint64 `json:"seed"`
	Runs int    `json:"runs"`
	// Verdict is "worse", "trade-off", "better", "same" or "invalid";
	// Summary says it in a sentence.
	Verdict     string           `json:"verdict"`
	Summary     string           `json:"summary"`
	Diagnostics []reviewDiag     `json:"diagnostics,omitempty"`
	Scenarios   []scenarioReview `json:"scenarios"`

	scs  []*simulate.Scenario
	root string // -root: where scenarios' own policies must resolve
}

// reviewDiag is what stopped the review: a policy or scenario that does
// not load, in ringwise check's FILE:LINE:COL form.
type reviewDiag struct {
	Side string `json:"side"` // "base", "head" or "scenario"
	Path string `json:"path"`
	Text string `json:"text"`
}

type scenarioReview struct {
	Path string `json:"path"`
	Name string `json:"name"`
	// BlastRadius is "larger", "smaller", "mixed" or "same";
	// TimeToProtection "slower", "faster", "mixed" or "same".
	BlastRadius      string         `json:"blast_radius"`
	TimeToProtection string         `json:"time_to_protection"`
	Base             *sideReview    `json:"base"`
	Head             *sideReview    `json:"head"`
	Metrics          []metricChange `json:"metrics"`
}

type sideReview struct {
	Policy         string                        `json:"policy"` // the path loaded
	Rollout        string                        `json:"rollout"`
	Digest         string                        `json:"digest"`
	Hosts          int                           `json:"hosts"`
	Targeted       int                           `json:"targeted"`
	RolledBackRuns int                           `json:"rolled_back_runs"`
	Aggregate      map[string]simulate.Quantiles `json:"aggregate"`

	plan *rollout.Plan
}

// metricChange compares the medians of one metric; null is a time never
// reached. Change is "worse", "better" or "" for the metrics with a
// direction (Kind "blast_radius" or "time_to_protection").
type metricChange struct {
	Metric string   `json:"metric"`
	Kind   string   `json:"kind,omitempty"`
	Base   *float64 `json:"base"`
	Head   *float64 `json:"head"`
	Change string   `json:"change,omitempty"`
}

const (
	blastRadius      = "blast_radius"
	timeToProtection = "time_to_protection"
	// notJudged is a scenario's time to protection when its update is bad.
	notJudged = "not judged (a bad update)"
)

// reviewRows are the table's rows in order: label, metric and direction.
var reviewRows = []struct{ label, metric, kind string }{
	{"hosts exposed", "exposed", ""},
	{"hosts failed", "failed", blastRadius},
	{"failed at once (peak)", "failed_peak", blastRadius},
	{"manual repairs", "manual_repairs", blastRadius},
	{"host-hours down", "host_hours_down", blastRadius},
	{"outage (≥10% down)", "outage_seconds", blastRadius},
	{"time to detect", "detected_after_seconds", ""},
	{"time to halt", "halted_after_seconds", ""},
	{"rolled back", "rolled_back", ""},
	{"50% protected", "coverage_50_seconds", timeToProtection},
	{"95% protected", "coverage_95_seconds", timeToProtection},
	{"99% protected", "coverage_99_seconds", timeToProtection},
}

// load reads the scenarios and both policies and selects each side's plan,
// recording every problem in rv.Diagnostics.
func (rv *review) load(args []string) {
	type loaded struct {
		pol      *policy.Policy
		diag     string
		reported bool // a scenario's own policy that did not load
	}
	cache := map[string]loaded{}
	policyFor := func(side, path string) *policy.Policy {
		l, seen := cache[path]
		if !seen {
			var b bytes.Buffer
			p, ok := loadPolicy([]string{path}, &b)
			l = loaded{diag: b.String()}
			if ok {
				l.pol = p
			}
			cache[path] = l
			if !ok {
				rv.Diagnostics = append(rv.Diagnostics, reviewDiag{side, path, l.diag})
			}
		}
		return l.pol
	}
	for _, a := range args { // diagnostics in the order of the arguments
		for _, path := range rv.scenarioPaths([]string{a}) {
			var b bytes.Buffer
			sc, named := readScenario(path, &b)
			if sc == nil {
				rv.Diagnostics = append(rv.Diagnostics, reviewDiag{"scenario", path, b.String()})
				continue
			}
			sr := scenarioReview{Path: path, Name: sc.Name}
			for _, s := range []struct {
				side, flag string
				out        **sideReview
			}{{"base", rv.Base, &sr.Base}, {"head", rv.Head, &sr.Head}} {
				pp := s.flag
				var pol *policy.Policy
				if pp != "" {
					pol = policyFor(s.side, pp)
				} else {
					// The scenario's own policy, confined to -root (or
					// the scenario's directory): cached per root and path.
					var b bytes.Buffer
					var ok bool
					pol, pp, ok = loadScenarioPolicy(sc, path, rv.root, named, &b)
					if !ok {
						pol = nil
						if key := rv.root + "\x00" + pp + "\x00" + b.String(); !cache[key].reported {
							cache[key] = loaded{reported: true}
							rv.Diagnostics = append(rv.Diagnostics, reviewDiag{s.side, pp, b.String()})
						}
					}
				}
				if pol == nil {
					continue
				}
				plan, diags := simulate.SelectPlan(pol, sc)
				if diags.HasErrors() {
					var b bytes.Buffer
					policy.WriteDiagnostics(&b, named, diags)
					rv.Diagnostics = append(rv.Diagnostics, reviewDiag{s.side, pp, b.String()})
					continue
				}
				*s.out = &sideReview{Policy: pp, Rollout: plan.Name, Digest: plan.Digest(), plan: plan}
			}
			rv.Scenarios = append(rv.Scenarios, sr)
			rv.scs = append(rv.scs, sc)
		}
	}
}

// scenarioPaths expands directory arguments to the scenario.hcl files under
// them, sorted; a directory without one is a diagnostic.
func (rv *review) scenarioPaths(args []string) []string {
	var paths []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			paths = append(paths, a) // reading it reports the error
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && d.Name() == "scenario.hcl" {
				found = append(found, p)
			}
			return nil
		})
		if err == nil && len(found) == 0 {
			err = fmt.Errorf("no scenario.hcl under %s", a)
		}
		if err != nil {
			rv.Diagnostics = append(rv.Diagnostics, reviewDiag{"scenario", a, fmt.Sprintf("%s: %v\n", a, err)})
			continue
		}
		slices.Sort(found)
		paths = append(paths, found...)
	}
	return paths
}

// simulate runs every scenario under both plans with the same seeds.
func (rv *review) simulate() error {
	ctx := context.Background()
	for i := range rv.Scenarios {
		sr, sc := &rv.Scenarios[i], rv.scs[i]
		for _, side := range []*sideReview{sr.Base, sr.Head} {
			sim, err := simulate.New(sc, side.plan)
			if err != nil {
				return fmt.Errorf("%s under %s: %v", sr.Path, side.Policy, err)
			}
			rep, err := sim.MonteCarlo(ctx, rv.Seed, rv.Runs, 0)
			if err != nil {
				return fmt.Errorf("%s under %s: %v", sr.Path, side.Policy, err)
			}
			side.Hosts, side.Targeted = rep.Runs[0].Hosts, rep.Runs[0].Targeted
			for _, r := range rep.Runs {
				if r.RolledBack {
					side.RolledBackRuns++
				}
			}
			side.Aggregate = rep.Aggregate
		}
		// Protection times judge a good update. When the scenario's update
		// is bad, reaching 50% before the hosts fail is not protection.
		judgeProtection := len(sc.Faults) == 0
		var blast, prot []string
		for _, row := range reviewRows {
			m := metricChange{Metric: row.metric, Kind: row.kind, Base: sr.Base.Aggregate[row.metric].P50, Head: sr.Head.Aggregate[row.metric].P50}
			if row.kind != "" && (row.kind != timeToProtection || judgeProtection) {
				m.Change = compareMetric(row.metric, m.Base, m.Head)
			}
			switch row.kind {
			case blastRadius:
				blast = append(blast, m.Change)
			case timeToProtection:
				prot = append(prot, m.Change)
			}
			sr.Metrics = append(sr.Metrics, m)
		}
		sr.BlastRadius = direction(blast, "larger", "smaller")
		sr.TimeToProtection = direction(prot, "slower", "faster")
		if !judgeProtection {
			sr.TimeToProtection = notJudged
		}
	}
	return nil
}

// compareMetric says whether head's value is worse or better than base's
// for a metric where more (or later, nil being never) is worse. Values are
// compared as the table shows them.
func compareMetric(metric string, base, head *float64) string {
	v := func(p *float64) float64 {
		if p == nil {
			return math.Inf(1)
		}
		if metric == "host_hours_down" {
			return math.Round(*p*10) / 10
		}
		return *p
	}
	switch b, h := v(base), v(head); {
	case h > b:
		return "worse"
	case h < b:
		return "better"
	}
	return ""
}

// direction sums up changes: worse if any is worse and none better, and so
// on.
func direction(changes []string, worse, better string) string {
	w, b := slices.Contains(changes, "worse"), slices.Contains(changes, "better")
	switch {
	case w && b:
		return "mixed"
	case w:
		return worse
	case b:
		return better
	}
	return "same"
}

// verdict sums up the review in a word and a sentence.
func (rv *review) verdict() (word, sentence string) {
	if len(rv.Diagnostics) > 0 {
		var sides []string
		for _, side := range []string{"base", "head", "scenario"} {
			if slices.ContainsFunc(rv.Diagnostics, func(d reviewDiag) bool { return d.Side == side }) {
				sides = append(sides, side)
			}
		}
		what := map[string]string{"base": "the base policy", "head": "the head policy", "scenario": "a scenario"}
		var parts []string
		for _, s := range sides {
			parts = append(parts, what[s])
		}
		return "invalid", fmt.Sprintf("Nothing was simulated: %s does not load.", strings.Join(parts, " and "))
	}
	n := len(rv.Scenarios)
	tally := func(get func(*scenarioReview) string, words ...string) string {
		var parts []string
		for _, w := range words {
			k := 0
			for i := range rv.Scenarios {
				if get(&rv.Scenarios[i]) == w {
					k++
				}
			}
			if k > 0 {
				parts = append(parts, fmt.Sprintf("%s in %d", w, k))
			}
		}
		return strings.Join(parts, ", ")
	}
	blast := tally(func(s *scenarioReview) string { return s.BlastRadius }, "larger", "mixed", "smaller", "same")
	prot := tally(func(s *scenarioReview) string { return s.TimeToProtection }, "slower", "mixed", "faster", "same")
	if prot == "" {
		prot = "not judged: every scenario's update is bad"
	}
	worse, better := false, false
	for _, s := range rv.Scenarios {
		worse = worse || s.BlastRadius == "larger" || s.BlastRadius == "mixed" || s.TimeToProtection == "slower" || s.TimeToProtection == "mixed"
		better = better || s.BlastRadius == "smaller" || s.BlastRadius == "mixed" || s.TimeToProtection == "faster" || s.TimeToProtection == "mixed"
	}
	switch {
	case worse && better:
		word = "trade-off"
	case worse:
		word = "worse"
	case better:
		word = "better"
	default:
		word = "same"
	}
	return word, fmt.Sprintf("Blast radius %s; time to protection %s (of %s).", blast, prot, plural(n, "scenario"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

var verdictHeads = map[string]string{
	"invalid":   "❌ **Invalid**",
	"worse":     "⚠️ **Worse**",
	"trade-off": "⚠️ **Trade-off**",
	"better":    "✅ **Better**",
	"same":      "➖ **No change**",
}

// writeMarkdown writes the review as a GitHub pull-request comment.
func (rv *review) writeMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	side := func(p string) string {
		if p == "" {
			return "each scenario's policy"
		}
		return code(p)
	}
	fmt.Fprintf(b, "%s\n## ringwise review: %s → %s\n\n", reviewMarker, side(rv.Base), side(rv.Head))
	fmt.Fprintf(b, "%s: %s\n", verdictHeads[rv.Verdict], rv.Summary)
	for _, d := range rv.Diagnostics {
		if d.Side == "scenario" {
			fmt.Fprintf(b, "\nThe scenario %s does not load:\n\n", code(d.Path))
		} else {
			fmt.Fprintf(b, "\n`ringwise check` on the %s policy (%s):\n\n", d.Side, code(d.Path))
		}
		f := fence(d.Text)
		fmt.Fprintf(b, "%s\n%s\n%s\n", f, strings.TrimSuffix(d.Text, "\n"), f)
	}
	if len(rv.Diagnostics) > 0 {
		return b.Flush()
	}
	for _, sr := range rv.Scenarios {
		fmt.Fprintf(b, "\n### %s\n\n", cell(sr.Name))
		fmt.Fprintf(b, "%s, %s hosts: blast radius **%s**%s, time to protection **%s**%s\n\n",
			code(sr.Path), groupInt(sr.Base.Hosts), sr.BlastRadius, marker(sr.BlastRadius), sr.TimeToProtection, marker(sr.TimeToProtection))
		fmt.Fprintf(b, "| | base | head | change |\n|:--|--:|--:|:--|\n")
		row(b, "rollout", code(sr.Base.Rollout), code(sr.Head.Rollout), "")
		row(b, "plan digest", code(sr.Base.Digest), code(sr.Head.Digest), map[bool]string{true: "", false: "changed"}[sr.Base.Digest == sr.Head.Digest])
		row(b, "hosts targeted", groupInt(sr.Base.Targeted), groupInt(sr.Head.Targeted), signedInt(sr.Head.Targeted-sr.Base.Targeted))
		for i, r := range reviewRows {
			m := sr.Metrics[i]
			var bv, hv, ch string
			if r.metric == "rolled_back" {
				bv, hv, ch = rv.rolledBack(sr.Base.RolledBackRuns), rv.rolledBack(sr.Head.RolledBackRuns), ""
				if d := sr.Head.RolledBackRuns - sr.Base.RolledBackRuns; d != 0 {
					ch = "changed"
				}
			} else {
				bv, hv, ch = metricCell(r.metric, m.Base), metricCell(r.metric, m.Head), metricDelta(r.metric, m.Base, m.Head)
			}
			row(b, r.label, bv, hv, ch+marker(m.Change))
		}
	}
	fmt.Fprintf(b, "\n<sub>%s per scenario and side, the same seeds (from %d) on both; each value is the median over the runs; times count from the release; never: not within the scenario's horizon. ⚠️ head worse, ✅ head better.</sub>\n",
		plural(rv.Runs, "run"), rv.Seed)
	return b.Flush()
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

func (rv *review) rolledBack(k int) string {
	if rv.Runs == 1 {
		return map[bool]string{true: "yes", false: "no"}[k == 1]
	}
	return fmt.Sprintf("%d of %d runs", k, rv.Runs)
}

func marker(change string) string {
	switch change {
	case "worse", "larger", "slower", "mixed":
		return " ⚠️"
	case "better", "smaller", "faster":
		return " ✅"
	}
	return ""
}

// metricCell renders a median for the table.
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
	return groupInt(int(v))
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
	return signedInt(int(d))
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

func signedInt(n int) string {
	switch {
	case n > 0:
		return "+" + groupInt(n)
	case n < 0:
		return "-" + groupInt(-n)
	}
	return ""
}

// groupInt renders n >= 0 with thousands separators.
func groupInt(n int) string {
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
