// Package review compares two versions of a rollout policy, base (before
// a change) and head (after it), the way a pull request needs: first a
// semantic diff of the rules (Diff), then both sides replayed on a suite of
// fleet-failure scenarios with the same seeds (Compare), each metric judged
// worse or better only beyond run-to-run noise, and head checked against
// the budgets of a suite file (ParseSuite). The result is a plain value,
// Report, rendered as a GitHub comment by WriteMarkdown or as JSON by
// WriteJSON.
//
// Compare, Diff and the renderers only read their arguments (loaded
// policies and scenarios are immutable), so they are safe to call from
// several goroutines at once.
//
// The package reads no files and runs no commands: callers load the
// policies (package policy, with or without Rego gates) and the scenarios
// (package simulate) and pass them in. It does not import OPA, so programs
// and the js/wasm playground that compare policies without gates stay
// small; it builds for GOOS=js.
//
// # Statistics
//
// Run k of base and run k of head use the same seed, so their results are
// paired. For each metric with a direction (the blast radius: hosts
// failed, failed at once, manual repairs, host-hours down, outage; and on
// scenarios whose update is good, the time to 50%, 95% and 99% protected)
// a two-sided Wilcoxon signed-rank test asks whether the per-seed
// differences are centred on zero; its p-value is exact (given ties) up to
// 60 differing pairs and from the normal approximation above. A time never
// reached counts as later than any time. The Benjamini-Hochberg procedure
// at Level (5%) over every metric tested in the report decides which are
// called worse or better; the others are "no clear change", or "same" when
// every run gave the same value on both sides. When there is no real
// difference anywhere (the same policy on both sides, run with different
// seeds) the false-discovery rate is the chance that a review flags
// anything, so it stays at most 5% when the metrics' tests are independent
// or positively dependent, as Benjamini and Hochberg's procedure assumes:
// TestFalseAlarmRate measures 4.7% on simulated reviews of ten correlated
// metrics, and TestNoiseRuleCalibration 1 in 60 reviews of a policy against
// itself on the simulator. When
// the sides run different seeds (Options.HeadSeed), a Wilcoxon-Mann-Whitney
// rank-sum test replaces the signed-rank test.
//
// With n runs the smallest p-value a paired test can reach is 2/2^n: with
// fewer than 6 runs nothing can be called worse or better, which the
// comment says. DefaultRuns is 20.
package review
