//go:build ringwise_gates

package main

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/ringwise/ringwise/review"
)

// Compare runs the review of a policy change that ringwise review posts
// on a pull request, for one scenario: base and head are the policy files
// before and after, replayed with the same seeds. It is in the full module
// (-tags ringwise_gates) only: review adds about 60 KB (brotli) that the
// first module's budget has no room for.
func Compare(base, head map[string]string, scenario string, opts CompareOptions, progress func(done, total int)) (*CompareResult, *Failure) {
	runs := opts.Runs
	if runs == 0 {
		runs = review.DefaultRuns
	}
	if runs < 1 || runs > MaxRuns {
		return nil, failf("runs must be in [1, %d], got %d", MaxRuns, runs)
	}
	sc, _, fail := parseScenario(scenario)
	if fail != nil {
		return nil, fail
	}
	pb, fail := loadOK(base)
	if fail != nil {
		fail.Error = "base: " + fail.Error
		return nil, fail
	}
	ph, fail := loadOK(head)
	if fail != nil {
		return nil, fail
	}
	label := func(files map[string]string) string {
		return strings.Join(slices.Sorted(maps.Keys(files)), ", ")
	}
	rep, err := review.Compare(context.Background(), []review.Case{{
		Path:     ScenarioFile,
		Scenario: sc,
		Base:     review.Side{Label: label(base), Policy: pb},
		Head:     review.Side{Label: label(head), Policy: ph},
	}}, review.Options{Runs: runs, Seed: uint64(opts.Seed), Workers: 1, Progress: progress})
	if err != nil {
		return nil, failf("%s", strings.TrimPrefix(err.Error(), "review: "))
	}
	var md, js bytes.Buffer
	if err := review.WriteMarkdown(&md, rep, review.MarkdownOptions{}); err != nil {
		return nil, failf("%v", err)
	}
	if err := review.WriteJSON(&js, rep); err != nil {
		return nil, failf("%v", err)
	}
	return &CompareResult{Markdown: md.String(), Report: js.String()}, nil
}
