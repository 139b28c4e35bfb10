// Package rollout is the model and decision engine of ringwise: plans of
// rings, steps, bakes, windows and triggers, and the two calls that an
// update server or deployment controller makes.
//
// It depends on the standard library only, reads no clock, no environment,
// no files and no randomness: the caller passes the time and the state in,
// and the same inputs always give the same outputs, on every platform
// including js/wasm.
//
// # Building
//
// Compile validates a Plan (package policy builds one from HCL). NewFleet
// (or NewFleetFrom for millions of hosts) applies it to the caller's
// inventory for one rollout ID: every host gets its ring, its tenant policy
// and a rank from a stable hash of (rollout ID, host ID), so exposure is
// exact (a 50% tenant cap holds for a tenant of 3 hosts: 1 host), monotone
// (a host exposed at 5% stays exposed at 10%) and independent between
// rollouts. Plans and fleets are immutable and safe for concurrent use.
//
// # The two calls
//
// The host call, Fleet.Eligible (or EligibleAt by position), answers "may
// this host take the update now?" with a Verdict, the rule that decided and
// when the answer may change. It does not allocate: it is the hot path of an
// update server.
//
// The controller call, Fleet.Decide, takes the State, an Observation of the
// fleet's health and the time, and returns a Decision: advance, hold, halt,
// roll back or complete, the ordered reasons (each naming the policy rule
// and where it is written), when to ask again, and the new State to persist.
// It fails closed: anything it cannot vouch for holds, and says why.
//
// State is a plain value with a versioned JSON encoding (MarshalState,
// ParseState); every change of decision is appended to its audit log.
package rollout
