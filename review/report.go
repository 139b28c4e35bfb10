package review

import (
	"encoding/json"
	"io"

	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/simulate"
)

// Report is a review: the semantic diff of the policies, then per scenario
// the comparison of base and head and head's budgets. It is the JSON
// contract of `ringwise review -json` (see WriteJSON) and what WriteMarkdown
// renders. A Report is a plain value; Compare fills it and nothing modifies
// it afterwards.
type Report struct {
	// Base and Head name the sides; "" when the scenarios' own policies
	// differ from case to case.
	Base string `json:"base"`
	Head string `json:"head"`
	Seed uint64 `json:"seed"`
	// HeadSeed is head's first seed; equal to Seed when the runs are
	// paired.
	HeadSeed uint64 `json:"head_seed"`
	Runs     int    `json:"runs"`
	Paired   bool   `json:"paired"`
	// Test names the statistical test; Level is the false-discovery rate
	// of the Benjamini-Hochberg procedure over the Tested metrics.
	Test   string  `json:"test"`
	Level  float64 `json:"level"`
	Tested int     `json:"tested"`
	// Verdict is one of the Verdict* constants; Summary says it in a
	// sentence.
	Verdict string `json:"verdict"`
	Summary string `json:"summary"`
	// BudgetsChecked and BudgetsViolated count head's budgets over every
	// scenario.
	BudgetsChecked  int `json:"budgets_checked"`
	BudgetsViolated int `json:"budgets_violated"`
	// Diagnostics are what stopped the review (the Verdict is then
	// "invalid" and nothing was simulated).
	Diagnostics []Diagnostic     `json:"diagnostics,omitempty"`
	Diffs       []PolicyDiff     `json:"diffs"`
	Scenarios   []ScenarioReport `json:"scenarios"`
}

// Diagnostic is a policy, scenario or suite that does not load, rendered
// in ringwise check's FILE:LINE:COL form.
type Diagnostic struct {
	Side string `json:"side"` // "base", "head", "scenario" or "suite"
	Path string `json:"path"`
	Text string `json:"text"`
}

// Invalid returns the report of a review that could not run: its
// diagnostics, no scenario.
func Invalid(base, head string, diags []Diagnostic) *Report {
	rep := &Report{Base: base, Head: head, Verdict: VerdictInvalid, Diagnostics: diags, Diffs: []PolicyDiff{}, Scenarios: []ScenarioReport{}}
	rep.Summary = invalidSummary(diags)
	return rep
}

// ScenarioReport compares the sides on one scenario.
type ScenarioReport struct {
	Path  string `json:"path"`
	Name  string `json:"name"`
	Hosts int    `json:"hosts"`
	// BadUpdate is true when the scenario has faults: its time to
	// protection is not judged.
	BadUpdate bool `json:"bad_update"`
	// BlastRadius is "larger", "smaller", "mixed", "no clear change" or
	// "same"; TimeToProtection "slower", "faster", "mixed", "no clear
	// change", "same" or NotJudged.
	BlastRadius      string         `json:"blast_radius"`
	TimeToProtection string         `json:"time_to_protection"`
	Base             *SideReport    `json:"base"`
	Head             *SideReport    `json:"head"`
	Metrics          []MetricReport `json:"metrics"`
	Budgets          []BudgetResult `json:"budgets"`
	Chart            Chart          `json:"chart"`
}

// SideReport is one side's outcome on a scenario.
type SideReport struct {
	Policy         string                        `json:"policy"` // the side's label
	Rollout        string                        `json:"rollout"`
	Digest         string                        `json:"digest"`
	Targeted       int                           `json:"targeted"`
	RolledBackRuns int                           `json:"rolled_back_runs"`
	Aggregate      map[string]simulate.Quantiles `json:"aggregate"`

	plan *rollout.Plan
	runs []*simulate.Result
}

// Stat is a metric's median and 95th percentile over the runs (nearest
// rank); nil is a time never reached.
type Stat struct {
	P50 *float64 `json:"p50"`
	P95 *float64 `json:"p95"`
}

// MetricReport compares one metric. PValue is the test's p-value, nil when
// the sides were identical in every run. Change is Worse, Better, NoClear
// or Same for the metrics with a direction (Kind BlastRadius, or
// TimeToProtection on a good update), "" for the others.
type MetricReport struct {
	Metric string   `json:"metric"`
	Kind   string   `json:"kind,omitempty"`
	Base   Stat     `json:"base"`
	Head   Stat     `json:"head"`
	PValue *float64 `json:"p_value"`
	Change string   `json:"change,omitempty"`

	dir    int
	tested bool
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
