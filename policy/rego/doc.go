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
// No gate that compiles can crash or hang the process that evaluates it,
// use more than a bounded amount of memory, or read any clock but the
// decision's time. Every builtin of the linked OPA version has a verdict
// (the audit below; TestSandboxCoversEveryBuiltin fails when an OPA
// upgrade adds one without a verdict):
//
//   - direct: OPA calls it as is. Its result is a boolean, a number no
//     larger than its arguments', or a part of an argument; it allocates a
//     constant amount and takes time at most linear in its arguments.
//   - wrapped: after compiling, its calls (and `with` mocks of it) are
//     renamed to a wrapper (OPA prefers its own implementation of a name,
//     so the wrapper has another). Before the call, the wrapper estimates
//     the size of the result from the sizes of the arguments (with a
//     formula of its own for builtins whose result is not linear in them:
//     bits.lsh, numbers.range, replace, sprintf widths, ...) and refuses
//     the call when that exceeds what is left of the evaluation's budget;
//     after it, the result's size is charged and its numbers checked.
//   - removed: not in Capabilities, so a call is a compile error at its
//     FILE:LINE:COL: "undefined function NAME: removed from the gate
//     sandbox (why)". Removed are builtins that do I/O or are not
//     deterministic, and those that cannot be bounded from outside: Go
//     templates and graphql parsers run unbounded inside one call,
//     crypto.x509 verification reads the wall clock, walk and
//     graph.reachable_paths enumerate exponentially many paths.
//
// time.now_ns() is the decision's time: each evaluation runs at
// GateInput.Now (rego.EvalTime; the prepared query's own Time option would
// be ignored), with a fixed seed and strict builtin errors (a builtin that
// fails is an evaluation error, not an undefined value).
//
// The sandbox also refuses, when compiling: `=` (unification; write :=
// or ==, see below), number literals beyond MaxNumberDigits (also in data
// files), and names starting with __ringwise.
//
// # Resource limits
//
// Each evaluation (and each Rego unit test) has:
//
//	deadline   DefaultTimeout (100ms), or WithTimeout / the HCL timeout
//	           attribute, at most MaxTimeout (5s)
//	steps      MaxSteps (250,000) expressions evaluated: OPA asks its
//	           cancellation hook once per expression, and the hook counts,
//	           so a runaway gate fails the same way on every machine
//	bytes      MaxEvalBytes (64 MiB) for the values builtins build: a
//	           string counts its bytes, a number its digits, every value 16
//	           bytes more, and a value shared n times counts n times
//	numbers    at most MaxNumberDigits (400) digits, |x| < 10^400, in the
//	           source, the data, and every builtin's arguments and result
//
// What bounds what. Memory an evaluation holds comes from builtins
// (bounded by the bytes budget, checked before each call so that no call
// allocates past it) and from the evaluator itself (bindings, comprehension
// results, rule values: a bounded amount per step, bounded by the steps).
// Time is bounded by the deadline, which OPA checks between expressions,
// plus the longest single builtin call, which the budget bounds (every
// wrapped builtin takes time at most linear, or n log n, in its bounded
// arguments and result). Evaluate returns at the deadline even when the
// evaluator is stuck in one operation that never checks it, such as
// comparing (==) two values that share structure exponentially
// (x1 := [x0, x0], x2 := [x1, x1], ...): that evaluation is abandoned
// after 250ms of grace and runs on in its goroutine, using CPU but no
// memory, and the gate refuses to evaluate until it ends, so that at most
// one runs per gate. Unification (=) of such values would recurse once
// per element and overflow the stack, which Go cannot recover from: that
// is why `=` is refused. Compiling is bounded by MaxCompileTime (5s), for
// OPA's type checker is exponential on such values too.
//
// Measured on the hostile gates of testdata/hostile (TestHostileGates:
// check, one evaluation and one test run per case, each stage within 10s,
// at most 256 MiB of live heap and stacks above the process's baseline and
// 512 MiB allocated per case): no crash; the largest peak was 107 MiB
// (parsing 60,000 nested brackets), the largest for an evaluation 89 MiB
// (doubling a string until the budget refuses), the most allocated 130
// MiB. TestBuiltinWorstCases calls every kept builtin with worst-case
// arguments in every position: each returns within 3s and 192 MiB.
//
// # Audit of OPA's builtins
//
// The verdict on every builtin of OPA v1.22 (from the table in sandbox.go):
//
//	direct: comparison or membership: boolean result, no allocation:
//	    assign, eq, equal, gt, gte, internal.member_2, internal.member_3, lt,
//	    lte, neq
//	direct: marks a test case (tests only):
//	    internal.test_case
//	direct: number no larger than its arguments (which are within MaxNumberDigits):
//	    abs, ceil, floor, round
//	direct: predicate on its arguments: boolean or constant-size result, linear time:
//	    all, any, base64.is_valid, contains, count, crypto.hmac.equal,
//	    endswith, indexof, is_array, is_boolean, is_null, is_number,
//	    is_object, is_set, is_string, json.is_valid, object.subset,
//	    semver.compare, semver.is_valid, startswith, strings.any_prefix_match,
//	    strings.any_suffix_match, strings.count, type_name, uri.is_valid
//	direct: replaced by the rule's annotations when compiling:
//	    rego.metadata.chain, rego.metadata.rule
//	direct: returns a part of an argument: no allocation:
//	    cast_boolean, cast_null, max, min, object.get
//	direct: returns the decision's time (GateInput.Now), not the clock:
//	    time.now_ns
//	direct: rewritten to internal.print when compiling:
//	    print
//	wrapped: RE2 (linear time); pattern at most 4 KiB:
//	    re_match, regex.is_valid, regex.match, regex.template_match
//	wrapped: RE2 (linear time); pattern at most 4 KiB; (length+1) x replacement checked first:
//	    regex.replace
//	wrapped: RE2 (linear time); pattern at most 4 KiB; the number of matches is checked first:
//	    regex.find_all_string_submatch_n, regex.find_n
//	wrapped: RE2 (linear time); pattern at most 4 KiB; the number of pieces is checked first:
//	    regex.split
//	wrapped: arithmetic: operands and result within MaxNumberDigits:
//	    bits.and, bits.negate, bits.or, bits.rsh, bits.xor, div, format_int,
//	    minus, mul, plus, rem, sum, to_number
//	wrapped: arithmetic: operands and result within MaxNumberDigits; exponents are checked before parsing:
//	    units.parse, units.parse_bytes
//	wrapped: arithmetic: operands and result within MaxNumberDigits; the product of the operands' digits is checked first:
//	    product
//	wrapped: arithmetic: operands and result within MaxNumberDigits; the shift is checked before shifting:
//	    bits.lsh
//	wrapped: array of integers: its length is checked against the budget first:
//	    numbers.range, numbers.range_step
//	wrapped: breadth-first search: result at most the graph's size:
//	    graph.reachable
//	wrapped: collection function: result at most the size of its arguments:
//	    and, array.concat, array.flatten, array.reverse, array.slice,
//	    cast_array, cast_object, cast_set, cast_string, intersection,
//	    json.filter, json.remove, object.filter, object.keys, object.remove,
//	    object.union, object.union_n, or, set_diff, sort, union
//	wrapped: collection function: result at most the size of its arguments; each operation may copy the document: operations x document checked first:
//	    json.patch
//	wrapped: encoder or decoder: result at most a few times its input:
//	    base64.decode, base64.encode, base64url.decode, base64url.encode,
//	    base64url.encode_no_pad, hex.decode, hex.encode, io.jwt.decode,
//	    json.marshal, json.unmarshal, uri.parse, urlquery.decode,
//	    urlquery.decode_object, urlquery.encode, urlquery.encode_object
//	wrapped: encoder or decoder: result at most a few times its input (go-yaml refuses excessive aliasing):
//	    yaml.is_valid, yaml.unmarshal
//	wrapped: encoder or decoder: result at most a few times its input; indentation x lines checked first:
//	    json.marshal_with_options
//	wrapped: formats values as text: arguments' expanded size checked first:
//	    internal.print, internal.template_string, trace
//	wrapped: formats values as text: arguments' expanded size checked first; widths over 1000 and * widths refused:
//	    sprintf
//	wrapped: glob match: pattern at most 4 KiB, text linear:
//	    glob.match
//	wrapped: hash: constant-size result, linear time:
//	    crypto.hmac.md5, crypto.hmac.sha1, crypto.hmac.sha256,
//	    crypto.hmac.sha512, crypto.md5, crypto.sha1, crypto.sha256
//	wrapped: string function: result at most a few times its arguments:
//	    glob.quote_meta, lower, strings.reverse, substring, trim_prefix,
//	    trim_space, trim_suffix, upper
//	wrapped: string function: result at most a few times its arguments; cutset at most 4 KiB:
//	    trim, trim_left, trim_right
//	wrapped: string function: result at most a few times its arguments; separator times elements checked first:
//	    concat
//	wrapped: string function: result at most a few times its arguments; the number of pieces is checked first:
//	    split, strings.split_n
//	wrapped: string function: result at most a few times its arguments; the number of positions is checked first:
//	    indexof_n
//	wrapped: string replacement: (length+1) x longest replacement checked first:
//	    strings.replace_n
//	wrapped: string replacement: (occurrences+1) x replacement length checked first:
//	    replace
//	wrapped: time function: constant-size result; reads no clock:
//	    time.add_date, time.clock, time.date, time.diff, time.format,
//	    time.parse_duration_ns, time.parse_ns, time.parse_rfc3339_ns,
//	    time.weekday
//	removed: Go templates loop ({{range}}) without bound inside one call, past the deadline:
//	    strings.render_template
//	removed: X.509 and key parsing: removed with the crypto.x509 family (one of which reads the wall clock); a gate has no certificates to judge:
//	    crypto.parse_private_keys, crypto.x509.parse_certificate_request,
//	    crypto.x509.parse_certificates, crypto.x509.parse_keypair,
//	    crypto.x509.parse_rsa_private_key
//	removed: allocates about 150 times the size of its argument (186 MiB for a 1.5 MiB object) and takes seconds:
//	    yaml.marshal
//	removed: enumerates an address range: 2^n results from a few bytes:
//	    net.cidr_expand
//	removed: enumerates every path of a graph: exponential in its size:
//	    graph.reachable_paths
//	removed: enumerates every path of a value: memory paths x depth, exponential for shared values:
//	    walk
//	removed: intersects regular expressions: exponential time:
//	    regex.globs_match
//	removed: net.*: removed with net.lookup_ip_addr; gates decide on rollout state, not addresses:
//	    net.cidr_contains, net.cidr_contains_matches, net.cidr_intersects,
//	    net.cidr_is_valid, net.cidr_merge, net.cidr_overlap
//	removed: not deterministic or does I/O:
//	    http.send, io.jwt.decode_verify, io.jwt.encode_sign,
//	    io.jwt.encode_sign_raw, net.lookup_ip_addr, opa.runtime, rand.intn,
//	    uuid.rfc4122
//	removed: not deterministic or does I/O (schemas may fetch remote references):
//	    json.match_schema, json.verify_schema
//	removed: parses Rego: memory about 100 times the source, recursion without a depth limit:
//	    rego.parse_module
//	removed: removed with the uuid.* family (uuid.rfc4122 is random):
//	    uuid.parse
//	removed: signature verification parses keys and certificates (see crypto.x509); approvals reach a gate already checked by the controller:
//	    io.jwt.verify_eddsa, io.jwt.verify_es256, io.jwt.verify_es384,
//	    io.jwt.verify_es512, io.jwt.verify_hs256, io.jwt.verify_hs384,
//	    io.jwt.verify_hs512, io.jwt.verify_ps256, io.jwt.verify_ps384,
//	    io.jwt.verify_ps512, io.jwt.verify_rs256, io.jwt.verify_rs384,
//	    io.jwt.verify_rs512
//	removed: signs requests for http.send, which is removed:
//	    providers.aws.sign_req
//	removed: the graphql parsers recurse without a depth limit (a nested query overflows the stack, which is fatal) and run past the deadline:
//	    graphql.is_valid, graphql.parse, graphql.parse_and_verify,
//	    graphql.parse_query, graphql.parse_schema, graphql.schema_is_valid
//	removed: verifies certificates against the wall clock:
//	    crypto.x509.parse_and_verify_certificates
//	removed: verifies certificates against the wall clock unless told a time:
//	    crypto.x509.parse_and_verify_certificates_with_options
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
// RunTests runs the Rego unit tests (rules named test_*) next to the gates
// in the same sandbox, one at a time, each with the limits of one
// evaluation (steps, bytes, its own deadline); `ringwise test` is its
// command line. Unlike opa test, `ringwise test` exits 1 when it finds no
// test to run: in CI, a suite that runs nothing must not pass.
package rego
