// Package server is ringwise's reference update server and rollout
// controller: a thin shell around package rollout that a team can run as
// is (ringwise serve) or copy.
//
// # The host call
//
// GET /v1/rollouts/{id}/hosts/{host} answers "may this host take the update
// now?" from memory (rollout.Fleet.Eligible over the last stored state) as
// JSON (HostAnswer): the verdict, why, the policy rule with FILE:LINE:COL,
// and when to ask again. It reads no storage and takes no lock.
//
// # The controller
//
// Run calls rollout.Fleet.Decide for every rollout when its decision asks
// (Decision.Next), when its telemetry changes, when an operator acts, and at
// least every DecideEvery; gates are evaluated by Decide as usual. Telemetry
// comes from an Observer (observe.Prometheus) or from observations pushed
// with PUT /v1/rollouts/{id}/observation. Without an observation nothing is
// decided: the rollout holds and its status says why.
//
// # State and replicas
//
// The state of each rollout is the engine's rollout.State, stored as JSON in
// a row with a version column. Every write (a decision, an operator's pause,
// resume, approval or stop) is a compare-and-swap: UPDATE ... WHERE id = ?
// AND version = ?, in one transaction with the new entries of the audit log
// (primary key rollout and sequence number). A server keeps a rollout in
// memory only as it was stored, so a crash loses no decision and a restart
// never answers a host from a state that was not stored.
//
// SQLite (modernc.org/sqlite, pure Go) is the default store; PostgreSQL
// (pgx) lets several replicas share one database behind a load balancer.
// Every replica runs the controller; exactly one decision per state
// version is stored, because the compare-and-swap admits only the first
// writer of a version and the others reload and decide again on what it
// wrote (TestPostgresReplicas makes two replicas race on one rollout). We
// use the compare-and-swap and no advisory lock: a lock (such as
// pg_advisory_lock) belongs to a session and is silently lost when its
// connection drops, while the former holder may still be about to write,
// so it cannot guarantee a single writer on its own; the version check
// can, on SQLite and PostgreSQL alike, and costs a replica that loses the
// race only one wasted Decide. Replicas see each other's writes within
// Refresh (default 1s): behind a load balancer, a host may for that long be
// told "wait" by a replica that has not yet loaded the step another
// replica's answer of "take" came from. A host that took the update keeps
// it: "wait" never asks it to revert.
//
// # Authentication
//
// Hosts present a host token (Authorization: Bearer TOKEN) and may only ask
// the host call: a fleet-wide host token about any host, a host's own token
// (Config.HostTokenOf) only about that host, so that a host reads its own
// eligibility and nobody else's. Operators present an operator token, whose name is
// recorded in the audit log; every change needs one. Errors are JSON
// (Error) with a 4xx status that says what was wrong.
//
// # Observability
//
// The server exports its own Prometheus metrics (host calls by verdict and
// their latency, decisions by action and rule, compare-and-swap conflicts,
// telemetry errors) at /metrics and logs with log/slog.
package server
