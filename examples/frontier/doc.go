// Package frontier is the frontier study of issue 10: the recommended
// policy (examples/policies/recommended.hcl) against the schedules users
// would otherwise pick (policies/), on every scenario of examples/ and the
// stress variants in scenarios/, over Monte Carlo seeds. Its test
// regenerates the tables in examples/README.md; see that file for the
// commands, the figures and the targets.
package frontier
