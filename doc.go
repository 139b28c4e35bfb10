// Package ringwise is the module overview of ringwise, a library for
// rollout policy: the rules that decide which machines of a fleet receive an
// update, in what order, how fast, when not at all, and when to stop and go
// back.
//
// On 19 July 2024 one content update, pushed to every Windows host of an
// endpoint-security vendor at once, crashed about 8.5 million machines into
// boot loops within 78 minutes. Security updates must still ship fast,
// because threats spread fast. ringwise makes that trade-off explicit,
// reviewable and testable: policies are files, decisions are explained, and
// every policy can be replayed against fleet-failure scenarios before anyone
// trusts it.
//
// # The model
//
// A Host is an ID and labels (os, os_build, arch, tenant, region, channel,
// ...); the caller owns the inventory. An Update has an ID, a kind (sensor,
// content, config) and an urgency (routine, expedited, emergency).
//
// A Plan is an ordered list of rings. A host belongs to the first ring whose
// selector matches its labels. Each ring runs cumulative canary steps (1%,
// 10%, 50%, 100% of the ring), each step bakes for a while before the next,
// cover labels make sure every stratum (say every os_build x arch) is in the
// canary and has reported healthy before the ring completes, and a tenant
// cap keeps every tenant's share of updated hosts at or under N% until the
// ring has baked, so each tenant keeps a healthy part to fail over to.
//
// Windows say when hosts may not take an update: blackouts (global freezes,
// with exemptions by urgency), maintenance windows per tenant in the host's
// own time zone, deferrals after general availability, opt-outs by update
// kind, a manual pause, and human approvals before chosen rings.
//
// Triggers halt or roll back on health signals: an absolute rate, a ratio
// against the hosts not yet updated, silence of updated hosts (silence is
// not health), and a sequential probability ratio test whose false-alarm
// probability stays under its alpha however often it is checked. Gates are
// Rego rules that may hold, halt or roll back a transition; they can never
// make a rollout advance that the plan would hold, nor block a rollback. An
// emergency urgency shortens bakes; it never skips the first ring and never
// disables a trigger.
//
// # Packages
//
//   - [github.com/ringwise/ringwise/rollout]: the model and the decision
//     engine, standard library only, no I/O, no clock: a Fleet answers the
//     host call (may this host take the update now? why, and from when?)
//     without allocating, and the controller call (what does the rollout do
//     next?) with a Decision that names every rule behind it.
//   - [github.com/ringwise/ringwise/policy]: the HCL policy language, loaded
//     into plans with file:line:col diagnostics; canonical formatting.
//   - [github.com/ringwise/ringwise/policy/rego]: Rego gates through OPA,
//     sandboxed and deterministic, in their own package so programs that do
//     not use them do not link OPA.
//   - [github.com/ringwise/ringwise/simulate]: a deterministic fleet-failure
//     simulator that drives the same engine over millions of hosts.
//   - [github.com/ringwise/ringwise/observe]: a rollout.Observation from
//     Prometheus, configured in HCL; optional.
//   - [github.com/ringwise/ringwise/server]: the reference update server and
//     controller (ringwise serve): the host call over HTTP, a rollout API,
//     the state in SQLite or PostgreSQL with compare-and-swap writes;
//     optional, and linked only by programs that use it.
//   - cmd/ringwise: the CLI (check, fmt, plan, test, simulate, review,
//     serve, rollout).
//
// The engine is a pure state machine in the manner of etcd's raft: the
// caller owns the clock and the state, passes both in, and persists the
// State a Decision returns. The same inputs give the same outputs on every
// platform, js/wasm included.
package ringwise
