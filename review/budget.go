package review

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

// Suite is a review suite file: the scenarios a policy change is reviewed
// on and the budgets head must meet on each, whatever base did. See
// ParseSuite for the language.
type Suite struct {
	Scenarios []SuiteScenario
}

// SuiteScenario is one scenario block of a suite.
type SuiteScenario struct {
	// Path is the block's label: a scenario file or a directory (every
	// scenario.hcl under it), relative to the suite file's directory,
	// slash-separated.
	Path    string
	Budgets []Budget
	Src     rollout.Source
}

// Budget is a limit on one metric of head's runs on a scenario.
type Budget struct {
	// Metric is a name of simulate.Metrics: "failed", "host_hours_down",
	// "coverage_95_seconds", "rolled_back", ...
	Metric string
	// Max is the largest value allowed: hosts, host-hours or seconds.
	// When Percent is true it is a percentage of the scenario's hosts.
	Max     float64
	Percent bool
	// RolledBack, for Metric "rolled_back": false means no run may roll
	// back, true that every run must.
	RolledBack bool
	// Quantile is where the runs are judged: "p50", "p95" (the default) or
	// "max". With fewer than 20 runs p95 is the worst run.
	Quantile string
	Src      rollout.Source
}

// budgetAttrs maps a budget attribute to its metric; the value type
// follows from the metric.
var budgetAttrs = []struct{ attr, metric string }{
	{"exposed", "exposed"},
	{"failed", "failed"},
	{"failed_peak", "failed_peak"},
	{"manual_repairs", "manual_repairs"},
	{"host_hours_down", "host_hours_down"},
	{"outage", "outage_seconds"},
	{"detected_after", "detected_after_seconds"},
	{"halted_after", "halted_after_seconds"},
	{"coverage_50", "coverage_50_seconds"},
	{"coverage_95", "coverage_95_seconds"},
	{"coverage_99", "coverage_99_seconds"},
	{"recovered_99", "recovered_99_seconds"},
	{"rolled_back", "rolled_back"},
}

var budgetLabels = map[string]string{
	"exposed":                "hosts exposed",
	"failed":                 "hosts failed",
	"failed_peak":            "failed at once",
	"manual_repairs":         "manual repairs",
	"host_hours_down":        "host-hours down",
	"outage_seconds":         "outage",
	"detected_after_seconds": "time to detect",
	"halted_after_seconds":   "time to halt",
	"coverage_50_seconds":    "50% protected",
	"coverage_95_seconds":    "95% protected",
	"coverage_99_seconds":    "99% protected",
	"recovered_99_seconds":   "99% recovered",
	"rolled_back":            "rolled back",
}

// MaxSuiteSize is the largest suite file ParseSuite reads.
const MaxSuiteSize = 1 << 20

// ParseSuite parses a suite file (HCL native syntax), such as:
//
//	scenario "../examples/crowdstrike-2024/scenario.hcl" {
//	  budget {
//	    failed       = "0.01%" # of the scenario's hosts; or a number of hosts
//	    halted_after = "30m"
//	    rolled_back  = true    # every run must roll the bad update back
//	  }
//	}
//
//	scenario "../examples/good-update" {
//	  budget {
//	    coverage_95 = "12h"
//	    rolled_back = false # no run may roll a good update back
//	  }
//	  budget {
//	    quantile    = "p50"
//	    coverage_50 = "4h"
//	  }
//	}
//
// A scenario block's label is a scenario file or a directory, relative to
// the suite file. It holds any number of budget blocks; a budget block sets
// any of these limits on head's runs, judged at its quantile ("p50", "p95"
// by default, or "max"):
//
//	exposed, failed, failed_peak, manual_repairs  hosts: a number, or "N%" of the scenario's hosts
//	host_hours_down                               host-hours: a number
//	outage                                        a duration: time with at least 10% of hosts down
//	detected_after, halted_after                  a duration after the release: reached by then
//	coverage_50, coverage_95, coverage_99         a duration: that share protected by then
//	recovered_99                                  a duration: 99% of failed hosts back by then
//	rolled_back                                   a bool: every run (true) or no run (false) rolls back
//
// A time never reached violates its budget. Durations are written as in
// policies ("90s", "2h", "1d12h"). Problems are diagnostics with source
// ranges, rendered with policy.WriteDiagnostics; ParseSuite never panics.
func ParseSuite(src []byte, filename string) (*Suite, *hcl.File, hcl.Diagnostics) {
	if len(src) > MaxSuiteSize {
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Suite file too large",
			Detail: fmt.Sprintf("%s is %d bytes; a suite file may be at most %d.", filename, len(src), MaxSuiteSize)}}
	}
	if d := policy.CheckNesting(src, filename, false); d.HasErrors() {
		return nil, nil, d
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, f, diags
	}
	content, d := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "scenario", LabelNames: []string{"path"}}}})
	diags = append(diags, d...)
	s := &Suite{}
	seen := map[string]bool{}
	for _, b := range content.Blocks {
		sc := SuiteScenario{Path: b.Labels[0], Src: source(b.DefRange)}
		if sc.Path == "" || seen[sc.Path] {
			what := "empty"
			if sc.Path != "" {
				what = "listed twice"
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid scenario path",
				Detail: fmt.Sprintf("The scenario path is %s; each scenario block names one scenario file or directory once.", what), Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		seen[sc.Path] = true
		inner, d := b.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "budget"}}})
		diags = append(diags, d...)
		for _, bb := range inner.Blocks {
			bs, d := decodeBudget(bb)
			diags = append(diags, d...)
			sc.Budgets = append(sc.Budgets, bs...)
		}
		s.Scenarios = append(s.Scenarios, sc)
	}
	return s, f, diags
}

func source(r hcl.Range) rollout.Source {
	return rollout.Source{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column}
}

// decodeBudget decodes one budget block into one Budget per limit, in
// source order.
func decodeBudget(b *hcl.Block) ([]Budget, hcl.Diagnostics) {
	attrs, diags := b.Body.JustAttributes()
	bad := func(r hcl.Range, summary, format string, args ...any) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: r.Ptr()})
	}
	quantile := "p95"
	if a, ok := attrs["quantile"]; ok {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if v.Type() != cty.String || v.IsNull() || !slices.Contains([]string{"p50", "p95", "max"}, v.AsString()) {
				bad(a.Expr.Range(), "Invalid quantile", `The quantile must be "p50", "p95" or "max".`)
			} else {
				quantile = v.AsString()
			}
		}
	}
	var names []string
	for n := range attrs {
		if n != "quantile" {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(x, y string) int {
		return attrs[x].Range.Start.Byte - attrs[y].Range.Start.Byte
	})
	if len(names) == 0 && !diags.HasErrors() {
		bad(b.DefRange, "Empty budget", "A budget block sets at least one limit (%s).", knownBudgets())
	}
	var out []Budget
	for _, n := range names {
		a := attrs[n]
		i := slices.IndexFunc(budgetAttrs, func(x struct{ attr, metric string }) bool { return x.attr == n })
		if i < 0 {
			if m := suggest(n); m != "" {
				bad(a.NameRange, "Unknown budget", "%q is not a budget. Did you mean %q?", n, m)
			} else {
				bad(a.NameRange, "Unknown budget", "%q is not a budget; a budget block sets %s, and quantile.", n, knownBudgets())
			}
			continue
		}
		metric := budgetAttrs[i].metric
		bg := Budget{Metric: metric, Quantile: quantile, Src: source(a.NameRange)}
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if v.IsNull() || !v.IsKnown() {
			bad(a.Expr.Range(), "Invalid budget", "The budget %s needs a value.", n)
			continue
		}
		switch {
		case metric == "rolled_back":
			if v.Type() != cty.Bool {
				bad(a.Expr.Range(), "Invalid budget", "rolled_back is true (every run must roll back) or false (no run may).")
				continue
			}
			bg.RolledBack = v.True()
		case strings.HasSuffix(metric, "_seconds"):
			if v.Type() != cty.String {
				bad(a.Expr.Range(), "Invalid budget", "%s is a duration, such as \"30m\" or \"4h\".", n)
				continue
			}
			dur, err := policy.ParseDuration(v.AsString())
			if err != nil || dur < 0 {
				if err == nil {
					err = fmt.Errorf("a budget is not negative")
				}
				bad(a.Expr.Range(), "Invalid budget", "%s: %v", n, err)
				continue
			}
			bg.Max = dur.Seconds()
		default:
			switch {
			case v.Type() == cty.Number:
				bg.Max, _ = v.AsBigFloat().Float64()
			case v.Type() == cty.String && metric != "host_hours_down" && strings.HasSuffix(v.AsString(), "%"):
				pct, err := strconv.ParseFloat(strings.TrimSuffix(v.AsString(), "%"), 64)
				if err != nil || !validPercent(v.AsString()) {
					bad(a.Expr.Range(), "Invalid budget", "%s: %q is not a percentage such as \"0.1%%\".", n, v.AsString())
					continue
				}
				bg.Max, bg.Percent = pct, true
			default:
				if metric == "host_hours_down" {
					bad(a.Expr.Range(), "Invalid budget", "%s is a number of host-hours.", n)
				} else {
					bad(a.Expr.Range(), "Invalid budget", "%s is a number of hosts, or a percentage of the scenario's hosts such as \"0.1%%\".", n)
				}
				continue
			}
			if math.IsNaN(bg.Max) || math.IsInf(bg.Max, 0) || bg.Max < 0 || bg.Percent && bg.Max > 100 {
				bad(a.Expr.Range(), "Invalid budget", "%s must be a finite number at least 0%s.", n, map[bool]string{true: " and at most 100%", false: ""}[bg.Percent])
				continue
			}
		}
		out = append(out, bg)
	}
	return out, diags
}

// validPercent reports whether s is a plain decimal number followed by %.
func validPercent(s string) bool {
	s = strings.TrimSuffix(s, "%")
	if s == "" {
		return false
	}
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

func knownBudgets() string {
	var names []string
	for _, b := range budgetAttrs {
		names = append(names, b.attr)
	}
	return strings.Join(names, ", ")
}

// BudgetResult is a budget checked against head's runs. Base and Head
// are each side's value at the budget's quantile (nil: never reached; for
// rolled_back, the number of runs that rolled back); only Head is judged.
type BudgetResult struct {
	Metric   string   `json:"metric"`
	Quantile string   `json:"quantile"`
	Limit    float64  `json:"limit"` // hosts, host-hours or seconds; for rolled_back 1 (every run) or 0 (none)
	Text     string   `json:"text"`  // the budget as the comment shows it: "hosts failed ≤ 1,000"
	Base     *float64 `json:"base"`
	Head     *float64 `json:"head"`
	OK       bool     `json:"ok"`
	Src      string   `json:"src"` // FILE:LINE:COL of the limit in the suite
}

// checkBudgets checks head's runs against the budgets.
func checkBudgets(budgets []Budget, sr *ScenarioReport) []BudgetResult {
	out := []BudgetResult{}
	for _, b := range budgets {
		r := BudgetResult{Metric: b.Metric, Quantile: b.Quantile, Src: b.Src.String()}
		if b.Metric == "rolled_back" {
			base, head := float64(sr.Base.RolledBackRuns), float64(sr.Head.RolledBackRuns)
			r.Base, r.Head = &base, &head
			if b.RolledBack {
				r.Limit = 1
				r.Text = "every run rolls back"
				r.OK = sr.Head.RolledBackRuns == len(sr.Head.runs)
			} else {
				r.Text = "no run rolls back"
				r.OK = sr.Head.RolledBackRuns == 0
			}
			out = append(out, r)
			continue
		}
		limit := b.Max
		if b.Percent {
			// A share of the scenario's hosts, in whole hosts.
			limit = math.Floor(b.Max / 100 * float64(sr.Hosts))
		}
		r.Limit = limit
		pick := func(s *SideReport) *float64 {
			q := s.Aggregate[b.Metric]
			switch b.Quantile {
			case "p50":
				return q.P50
			case "max":
				return q.Max
			}
			return q.P95
		}
		r.Base, r.Head = pick(sr.Base), pick(sr.Head)
		r.OK = r.Head != nil && *r.Head <= limit
		lim := metricCell(b.Metric, &limit)
		if b.Percent {
			lim = fmt.Sprintf("%s (%s%%)", lim, trimFloat(b.Max))
		}
		r.Text = fmt.Sprintf("%s ≤ %s", budgetLabels[b.Metric], lim)
		if strings.HasSuffix(b.Metric, "_seconds") && b.Metric != "outage_seconds" {
			r.Text = fmt.Sprintf("%s by %s", budgetLabels[b.Metric], lim)
		}
		out = append(out, r)
	}
	return out
}

// suggest returns the budget name closest to n, within two edits, or "".
func suggest(n string) string {
	best, bestD := "", 3
	for _, b := range append([]string{"quantile"}, strings.Split(knownBudgets(), ", ")...) {
		if d := editDistance(n, b); d < bestD {
			best, bestD = b, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
