// Package rego runs rollout gates written in Rego, with OPA
// (github.com/open-policy-agent/opa/v1), in a sandbox: deterministic, without
// I/O, bounded in time, and failing closed.
//
// It lives apart from package rollout and package policy so that programs
// (and the WebAssembly playground) that use no gates do not link OPA. A Gate
// implements rollout.Gate; a Loader implements policy.GateLoader:
//
//	p, diags := policy.LoadPaths(paths, policy.WithGateLoader(rego.NewLoader()))
//
// Compile once, evaluate many: Compile parses a gate's modules (Rego v1
// syntax) and data files, checks and compiles them into a prepared query;
// the Gate is immutable and safe for concurrent use, and Evaluate costs one
// OPA evaluation (BenchmarkGateEval against BenchmarkOPAPreparedEval).
//
// # Output contract
//
// A gate is a Rego package that defines any of three rules, each a set of
// messages:
//
//	hold      the transition waits; the rollout stays where it is
//	halt      the rollout stops, keeping what is updated, until resumed
//	rollback  the rollout stops and updated hosts revert
//
// A message is a string, or an object with a string "msg" (other keys are
// ignored). A gate whose rules are all empty lets the transition proceed.
// Write them as multi-value rules, which are empty (not undefined) when no
// definition applies:
//
//	package ringwise.gates.freeze
//
//	hold contains msg if {
//		today := time.format([time.parse_rfc3339_ns(input.now), "UTC", "2006-01-02"])
//		today in data.holidays.days
//		msg := sprintf("change freeze: %s is a company holiday", [today])
//	}
//
// Each message becomes a reason of the decision that names the gate, the
// Rego file and line of the rule definition that produced it
// (rollout.GateMessage.Src), and the message. Output of print() is captured
// into rollout.GateVerdict.Log, as "FILE:LINE: text".
//
// The gate's package is Spec.Query (the HCL query attribute), or by default
// the one package among the gate's modules that defines hold, halt or
// rollback. A gate does not decide whether a rollout advances: the engine
// consults gates only when the plan would advance, and never for a
// rollback; a gate can only hold, halt or roll back.
//
// # Input document
//
// The input is rollout.GateInput encoded as JSON (InputValue builds it
// without a JSON round trip); input.schema.json in this directory is its
// JSON Schema. Times are RFC 3339 strings; parse them with
// time.parse_rfc3339_ns.
//
//	now                     the time of the decision
//	rollout                 the rollout ID
//	plan                    the rollout block's name
//	update.id               the update's ID
//	update.kind             "sensor", "content", "config", ...
//	update.urgency          "expedited", "emergency", ...; absent when routine
//	current.ring            where the rollout stands: ring name,
//	current.ring_index      ring index (from 0),
//	current.step            step index in the ring (-1 before the first step),
//	current.percent         cumulative percentage of the ring exposed,
//	current.tenant_capped   true when the tenant cap binds (else absent)
//	proposed.*              where the plan would move it, same fields
//	approvals               [{ring, by, at}] granted so far, or null
//	state.phase             "running" (gates see only running rollouts)
//	state.started           when the rollout started
//	state.step_started      when the current step started
//	observation.at          when the health counts were taken
//	observation.updated     the updated hosts: {hosts, healthy, silent,
//	                        signals: {NAME: {count, host_hours}}, strata}
//	observation.baseline    the hosts not yet updated, same fields
//	observation.approvals   as approvals; absent when empty
//
// Fields marked absent are left out, not null: test them with a positive
// comparison (input.update.urgency == "emergency"), because a comparison
// against an absent field is undefined, not true.
//
// # Data
//
// Each data file (JSON, or YAML by its .yaml or .yml name) holds an object
// whose keys become documents at the root of data, as with `opa eval -d
// FILE`: {"holidays": {...}} is data.holidays. A gate sees only its own data
// files. Importing data that neither a module nor a data file of the gate
// defines is a compile error.
//
// # Sandbox and determinism
//
// Gates compile with Capabilities: every builtin that OPA marks
// non-deterministic, and http.send, net.*, rand.*, uuid.* and opa.runtime,
// is removed, so a policy that calls one fails to compile at its
// FILE:LINE:COL. time.now_ns() is allowed: each evaluation runs at
// GateInput.Now (rego.EvalTime; the prepared query's own Time option would be
// ignored), with a fixed seed, strict builtin errors (a builtin that fails
// is an evaluation error, not an undefined value) and a deadline
// (DefaultTimeout, 100ms, or WithTimeout; the HCL timeout attribute per
// gate).
//
// # Failing closed
//
// A gate that does not compile is a load error. At evaluation, an error
// (e.g. a complete rule with two values), a deadline passed, an undefined
// or ill-typed result (hold that is not a set, a message that is not a
// string) is an error from Evaluate, and the engine holds the rollout with
// a reason naming the gate. Errors from Compile are *Error values with the
// file and line they come from (see Errors); Loader turns them into
// hcl.Diagnostics whose Subject is the position in the Rego or data file.
//
// # Tests
//
// RunTests runs the Rego unit tests (rules named test_*) next to the gates,
// with OPA's tester, in the same sandbox; `ringwise test` is its command
// line.
package rego
