// Package bench holds benchmarks that compare ringwise with other
// libraries. It is a module of its own (see go.mod) so that the ringwise
// module gains no dependency on them: run it with
//
//	cd bench && go test -run '^$' -bench . -benchmem
//
// BenchmarkLaunchDarkly* evaluate the host call's check (is this host in
// the rollout's first 50%, by a stable hash of the rollout and the host)
// through LaunchDarkly's server-side evaluator,
// github.com/launchdarkly/go-server-sdk-evaluation/v3: a flag whose
// fallthrough is a 50/50 percentage rollout salted with the rollout ID,
// evaluated for a context keyed by the host ID. BenchmarkRingwise* make
// the same check with ringwise's Fleet.Eligible and EligibleAt over the
// same 100,000 hosts. Figures are in BENCHMARKS.md at the repository root.
package bench
