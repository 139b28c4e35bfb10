package rego

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Resource limits of one gate evaluation (and of one Rego unit test). See
// the package doc, "Resource limits", for what bounds what.
const (
	// MaxSteps bounds the expressions one evaluation may evaluate: OPA's
	// evaluator asks its cancellation hook once per expression, and the
	// hook counts. It makes a runaway gate fail the same way on every
	// machine, before its deadline on a fast one.
	MaxSteps = 250_000
	// MaxEvalBytes bounds the estimated size of all values built by
	// builtins in one evaluation (strings count their bytes, numbers their
	// digits, and every value 16 bytes more; see sizeOf).
	MaxEvalBytes = 64 << 20
	// MaxNumberDigits bounds the numbers a gate can make or use: the
	// decimal digits of a number (its text in the source, data or a builtin
	// result), and |x| < 10^MaxNumberDigits.
	MaxNumberDigits = 400
	// maxPattern bounds regular expressions and globs (bytes).
	maxPattern = 4 << 10
	// maxFormatWidth bounds widths and precisions in sprintf formats.
	maxFormatWidth = 1000
	// MaxCompileTime bounds compiling a gate (or the modules of a test
	// run). OPA's compiler cannot be cancelled, and its type checker takes
	// exponential time on values that repeat themselves (x1 := [x0, x0],
	// x2 := [x1, x1], ...); a compilation that overruns is abandoned.
	MaxCompileTime = 5 * time.Second
)

// class says how the sandbox treats one builtin.
type class int

const (
	// direct: OPA calls the builtin as is. Its result is a boolean, a
	// number no larger than its arguments', or a part of an argument; it
	// allocates no more than a constant, and its time is at most linear in
	// its arguments.
	direct class = iota
	// wrapped: called through wrap: before the call the estimated size of
	// its result (est, from the arguments' sizes) must fit the remaining
	// budget; after it the result's size is charged and its numbers
	// checked.
	wrapped
	// removed: not in the capabilities; a call is a compile error.
	removed
)

// builtinRule is the sandbox's verdict on one builtin.
type builtinRule struct {
	class class
	// why explains the verdict (the audit table in the package doc).
	why string
	// est estimates the size of the result from the arguments; nil means
	// amp times the size of the arguments.
	est func(args []*ast.Term, limit int64) (int64, error)
	amp int64
}

func rule(c class, why string) builtinRule { return builtinRule{class: c, why: why, amp: 1} }

// linear: the result is at most amp times the size of the arguments.
func linear(amp int64, why string) builtinRule {
	return builtinRule{class: wrapped, why: why, amp: amp}
}

func custom(why string, est func([]*ast.Term, int64) (int64, error)) builtinRule {
	return builtinRule{class: wrapped, why: why, est: est, amp: 1}
}

const (
	whyCompare   = "comparison or membership: boolean result, no allocation"
	whyPredicate = "predicate on its arguments: boolean or constant-size result, linear time"
	whyPart      = "returns a part of an argument: no allocation"
	whyNumber    = "number no larger than its arguments (which are within MaxNumberDigits)"
	whyArith     = "arithmetic: operands and result within MaxNumberDigits"
	whyString    = "string function: result at most a few times its arguments"
	whyColl      = "collection function: result at most the size of its arguments"
	whyCodec     = "encoder or decoder: result at most a few times its input"
	whyHash      = "hash: constant-size result, linear time"
	whyFormat    = "formats values as text: arguments' expanded size checked first"
	whyTime      = "time function: constant-size result; reads no clock"
	whyNondet    = "not deterministic or does I/O"
	whyRegex     = "RE2 (linear time); pattern at most 4 KiB"
	whyJWT       = "signature verification parses keys and certificates (see crypto.x509); approvals reach a gate already checked by the controller"
	whyX509      = "X.509 and key parsing: removed with the crypto.x509 family (one of which reads the wall clock); a gate has no certificates to judge"
	whyNet       = "net.*: removed with net.lookup_ip_addr; gates decide on rollout state, not addresses"
	whyGraphQL   = "the graphql parsers recurse without a depth limit (a nested query overflows the stack, which is fatal) and run past the deadline"
)

// sandbox is the verdict on every builtin of the linked OPA version;
// TestSandboxCoversEveryBuiltin fails when OPA adds one that is not here.
var sandbox = map[string]builtinRule{
	// Evaluator primitives and predicates.
	"eq": rule(direct, whyCompare), "assign": rule(direct, whyCompare), "equal": rule(direct, whyCompare),
	"neq": rule(direct, whyCompare), "gt": rule(direct, whyCompare), "gte": rule(direct, whyCompare),
	"lt": rule(direct, whyCompare), "lte": rule(direct, whyCompare),
	"internal.member_2": rule(direct, whyCompare), "internal.member_3": rule(direct, whyCompare),
	"internal.test_case": rule(direct, "marks a test case (tests only)"),
	"count":              rule(direct, whyPredicate), "type_name": rule(direct, whyPredicate),
	"is_array": rule(direct, whyPredicate), "is_boolean": rule(direct, whyPredicate), "is_null": rule(direct, whyPredicate),
	"is_number": rule(direct, whyPredicate), "is_object": rule(direct, whyPredicate), "is_set": rule(direct, whyPredicate),
	"is_string": rule(direct, whyPredicate), "startswith": rule(direct, whyPredicate), "endswith": rule(direct, whyPredicate),
	"contains": rule(direct, whyPredicate), "strings.any_prefix_match": rule(direct, whyPredicate),
	"strings.any_suffix_match": rule(direct, whyPredicate), "all": rule(direct, whyPredicate), "any": rule(direct, whyPredicate),
	"indexof": rule(direct, whyPredicate), "strings.count": rule(direct, whyPredicate),
	"crypto.hmac.equal": rule(direct, whyPredicate), "base64.is_valid": rule(direct, whyPredicate),
	"json.is_valid": rule(direct, whyPredicate), "semver.is_valid": rule(direct, whyPredicate),
	"semver.compare": rule(direct, whyPredicate), "uri.is_valid": rule(direct, whyPredicate),
	"object.subset": rule(direct, whyPredicate),
	"object.get":    rule(direct, whyPart), "max": rule(direct, whyPart), "min": rule(direct, whyPart),
	"cast_boolean": rule(direct, whyPart), "cast_null": rule(direct, whyPart),
	"abs": rule(direct, whyNumber), "ceil": rule(direct, whyNumber), "floor": rule(direct, whyNumber),
	"round":               rule(direct, whyNumber),
	"time.now_ns":         rule(direct, "returns the decision's time (GateInput.Now), not the clock"),
	"rego.metadata.chain": rule(direct, "replaced by the rule's annotations when compiling"),
	"rego.metadata.rule":  rule(direct, "replaced by the rule's annotations when compiling"),
	"print":               rule(direct, "rewritten to internal.print when compiling"),

	// Arithmetic and numbers.
	"plus": linear(2, whyArith), "minus": linear(2, whyArith), "mul": linear(2, whyArith),
	"div": linear(2, whyArith), "rem": linear(2, whyArith),
	"sum": linear(2, whyArith), "product": custom(whyArith+"; the product of the operands' digits is checked first", estProduct),
	"bits.and": linear(2, whyArith), "bits.or": linear(2, whyArith), "bits.xor": linear(2, whyArith),
	"bits.negate": linear(2, whyArith), "bits.rsh": linear(2, whyArith),
	"bits.lsh":           custom(whyArith+"; the shift is checked before shifting", estLsh),
	"format_int":         linear(8, whyArith),
	"to_number":          linear(2, whyArith),
	"units.parse":        custom(whyArith+"; exponents are checked before parsing", estUnits),
	"units.parse_bytes":  custom(whyArith+"; exponents are checked before parsing", estUnits),
	"numbers.range":      custom("array of integers: its length is checked against the budget first", estRange),
	"numbers.range_step": custom("array of integers: its length is checked against the budget first", estRange),

	// Strings.
	"concat": custom(whyString+"; separator times elements checked first", estConcat),
	"lower":  linear(3, whyString), "upper": linear(3, whyString),
	"trim":        custom(whyString+"; cutset at most 4 KiB", estCutset),
	"trim_left":   custom(whyString+"; cutset at most 4 KiB", estCutset),
	"trim_right":  custom(whyString+"; cutset at most 4 KiB", estCutset),
	"trim_prefix": linear(1, whyString), "trim_suffix": linear(1, whyString), "trim_space": linear(1, whyString),
	"substring": linear(1, whyString), "strings.reverse": linear(1, whyString),
	"split":                    custom(whyString+"; the number of pieces is checked first", estSplit),
	"strings.split_n":          custom(whyString+"; the number of pieces is checked first", estSplit),
	"indexof_n":                custom(whyString+"; the number of positions is checked first", estSplit),
	"replace":                  custom("string replacement: (occurrences+1) x replacement length checked first", estReplace),
	"strings.replace_n":        custom("string replacement: (length+1) x longest replacement checked first", estReplaceN),
	"sprintf":                  custom(whyFormat+"; widths over 1000 and * widths refused", estSprintf),
	"internal.template_string": linear(6, whyFormat),
	"internal.print":           linear(6, whyFormat),
	"trace":                    linear(6, whyFormat),
	"glob.match":               custom("glob match: pattern at most 4 KiB, text linear", estPattern),
	"glob.quote_meta":          linear(2, whyString),
	"regex.match":              custom(whyRegex, estPattern), "re_match": custom(whyRegex, estPattern),
	"regex.is_valid":                   custom(whyRegex, estPattern),
	"regex.split":                      custom(whyRegex+"; the number of pieces is checked first", estRegexSplit),
	"regex.find_n":                     custom(whyRegex+"; the number of matches is checked first", estRegexSplit),
	"regex.find_all_string_submatch_n": custom(whyRegex+"; the number of matches is checked first", estRegexSplit),
	"regex.template_match":             custom(whyRegex, estPattern),
	"regex.replace":                    custom(whyRegex+"; (length+1) x replacement checked first", estRegexReplace),

	// Collections.
	"array.concat": linear(2, whyColl), "array.slice": linear(1, whyColl), "array.reverse": linear(1, whyColl),
	"array.flatten": linear(2, whyColl), "sort": linear(1, whyColl),
	"and": linear(1, whyColl), "or": linear(2, whyColl), "intersection": linear(1, whyColl),
	"union": linear(2, whyColl), "set_diff": linear(1, whyColl),
	"cast_array": linear(1, whyColl), "cast_set": linear(1, whyColl), "cast_object": linear(1, whyColl),
	"cast_string": linear(1, whyColl),
	"object.keys": linear(1, whyColl), "object.remove": linear(1, whyColl), "object.filter": linear(1, whyColl),
	"object.union": linear(2, whyColl), "object.union_n": linear(2, whyColl),
	"json.filter": linear(1, whyColl), "json.remove": linear(1, whyColl),
	"json.patch":      custom(whyColl+"; each operation may copy the document: operations x document checked first", estPatch),
	"graph.reachable": linear(2, "breadth-first search: result at most the graph's size"),

	// Encoders and decoders.
	"base64.encode": linear(2, whyCodec), "base64.decode": linear(1, whyCodec),
	"base64url.encode": linear(2, whyCodec), "base64url.encode_no_pad": linear(2, whyCodec),
	"base64url.decode": linear(1, whyCodec), "hex.encode": linear(2, whyCodec), "hex.decode": linear(1, whyCodec),
	"urlquery.encode": linear(3, whyCodec), "urlquery.decode": linear(1, whyCodec),
	"urlquery.encode_object": linear(3, whyCodec), "urlquery.decode_object": linear(16, whyCodec),
	"json.marshal": linear(6, whyCodec), "json.unmarshal": linear(16, whyCodec),
	"json.marshal_with_options": custom(whyCodec+"; indentation x lines checked first", estMarshalIndent),
	"yaml.unmarshal":            linear(16, whyCodec+" (go-yaml refuses excessive aliasing)"),
	"yaml.is_valid":             linear(16, whyCodec+" (go-yaml refuses excessive aliasing)"),
	"uri.parse":                 linear(8, whyCodec), "io.jwt.decode": linear(16, whyCodec),

	// Hashes and time.
	"crypto.md5": linear(1, whyHash), "crypto.sha1": linear(1, whyHash), "crypto.sha256": linear(1, whyHash),
	"crypto.hmac.md5": linear(1, whyHash), "crypto.hmac.sha1": linear(1, whyHash),
	"crypto.hmac.sha256": linear(1, whyHash), "crypto.hmac.sha512": linear(1, whyHash),
	"time.add_date": linear(1, whyTime), "time.clock": linear(1, whyTime), "time.date": linear(1, whyTime),
	"time.diff": linear(1, whyTime), "time.format": linear(4, whyTime), "time.parse_duration_ns": linear(1, whyTime),
	"time.parse_ns": linear(1, whyTime), "time.parse_rfc3339_ns": linear(1, whyTime), "time.weekday": linear(1, whyTime),

	// Removed.
	"http.send": rule(removed, whyNondet), "opa.runtime": rule(removed, whyNondet),
	"rand.intn": rule(removed, whyNondet), "uuid.rfc4122": rule(removed, whyNondet),
	"uuid.parse":                rule(removed, "removed with the uuid.* family (uuid.rfc4122 is random)"),
	"net.lookup_ip_addr":        rule(removed, whyNondet),
	"net.cidr_contains":         rule(removed, whyNet),
	"net.cidr_contains_matches": rule(removed, whyNet),
	"net.cidr_expand":           rule(removed, "enumerates an address range: 2^n results from a few bytes"),
	"net.cidr_intersects":       rule(removed, whyNet),
	"net.cidr_is_valid":         rule(removed, whyNet),
	"net.cidr_merge":            rule(removed, whyNet),
	"net.cidr_overlap":          rule(removed, whyNet),
	"io.jwt.decode_verify":      rule(removed, whyNondet), "io.jwt.encode_sign": rule(removed, whyNondet),
	"io.jwt.encode_sign_raw":                                 rule(removed, whyNondet),
	"json.verify_schema":                                     rule(removed, whyNondet+" (schemas may fetch remote references)"),
	"json.match_schema":                                      rule(removed, whyNondet+" (schemas may fetch remote references)"),
	"graphql.is_valid":                                       rule(removed, whyGraphQL),
	"graphql.parse":                                          rule(removed, whyGraphQL),
	"graphql.parse_and_verify":                               rule(removed, whyGraphQL),
	"graphql.parse_query":                                    rule(removed, whyGraphQL),
	"graphql.parse_schema":                                   rule(removed, whyGraphQL),
	"graphql.schema_is_valid":                                rule(removed, whyGraphQL),
	"strings.render_template":                                rule(removed, "Go templates loop ({{range}}) without bound inside one call, past the deadline"),
	"crypto.x509.parse_and_verify_certificates":              rule(removed, "verifies certificates against the wall clock"),
	"crypto.x509.parse_and_verify_certificates_with_options": rule(removed, "verifies certificates against the wall clock unless told a time"),
	"crypto.x509.parse_certificates":                         rule(removed, whyX509),
	"crypto.x509.parse_certificate_request":                  rule(removed, whyX509),
	"crypto.x509.parse_keypair":                              rule(removed, whyX509),
	"crypto.x509.parse_rsa_private_key":                      rule(removed, whyX509),
	"crypto.parse_private_keys":                              rule(removed, whyX509),
	"io.jwt.verify_eddsa":                                    rule(removed, whyJWT),
	"io.jwt.verify_es256":                                    rule(removed, whyJWT), "io.jwt.verify_es384": rule(removed, whyJWT),
	"io.jwt.verify_es512": rule(removed, whyJWT), "io.jwt.verify_hs256": rule(removed, whyJWT),
	"io.jwt.verify_hs384": rule(removed, whyJWT), "io.jwt.verify_hs512": rule(removed, whyJWT),
	"io.jwt.verify_ps256": rule(removed, whyJWT), "io.jwt.verify_ps384": rule(removed, whyJWT),
	"io.jwt.verify_ps512": rule(removed, whyJWT), "io.jwt.verify_rs256": rule(removed, whyJWT),
	"io.jwt.verify_rs384": rule(removed, whyJWT), "io.jwt.verify_rs512": rule(removed, whyJWT),
	"providers.aws.sign_req": rule(removed, "signs requests for http.send, which is removed"),
	"rego.parse_module":      rule(removed, "parses Rego: memory about 100 times the source, recursion without a depth limit"),
	"regex.globs_match":      rule(removed, "intersects regular expressions: exponential time"),
	"graph.reachable_paths":  rule(removed, "enumerates every path of a graph: exponential in its size"),
	"yaml.marshal":           rule(removed, "allocates about 150 times the size of its argument (186 MiB for a 1.5 MiB object) and takes seconds"),
	"walk":                   rule(removed, "enumerates every path of a value: memory paths x depth, exponential for shared values"),
}

// verdict returns the sandbox's rule for b. A builtin the table does not
// know (a newer OPA) is removed.
func verdict(name string) builtinRule {
	if r, ok := sandbox[name]; ok {
		return r
	}
	return builtinRule{class: removed, why: "not audited for the gate sandbox"}
}

// wrapPrefix starts the name a wrapped builtin is called by once compiled.
const wrapPrefix = "__ringwise."

// wrapName is the name a wrapped builtin is called by after compiling.
func wrapName(name string) string { return wrapPrefix + name }

// Capabilities returns the capabilities gates are compiled with: the
// builtins of the linked OPA version that the sandbox keeps (see the
// audit in the package doc), and no network host. A policy that calls a
// removed builtin fails to compile at the call's FILE:LINE:COL with
// "removed from the gate sandbox". The result is a fresh value each call;
// callers may modify it.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return verdict(b.Name).class == removed })
	c.AllowNet = []string{}
	return c
}

// sandboxHint explains an "undefined function" error for a builtin that
// exists in OPA but is removed from the gate sandbox.
func sandboxHint(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined function ")
	if !ok {
		return strings.ReplaceAll(msg, wrapPrefix, "")
	}
	if _, known := ast.BuiltinMap[name]; known {
		if r := verdict(name); r.class == removed {
			return msg + ": removed from the gate sandbox (" + r.why + ")"
		}
	}
	return msg
}

// sandboxBuiltins is the compiled form of the table: for every wrapped
// builtin, its declaration under the wrapped name and its implementation.
type sandboxBuiltin struct {
	decl *ast.Builtin // under wrapName
	opt  func(*oparego.Rego)
}

var sandboxBuiltins = sync.OnceValue(func() map[string]sandboxBuiltin {
	out := map[string]sandboxBuiltin{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		r := verdict(b.Name)
		if r.class != wrapped {
			continue
		}
		impl := topdown.GetBuiltin(b.Name)
		if impl == nil || b.Relation {
			continue // cannot wrap: TestSandboxCoversEveryBuiltin catches it
		}
		name := wrapName(b.Name)
		fn := &oparego.Function{Name: name, Decl: b.Decl}
		out[b.Name] = sandboxBuiltin{
			decl: &ast.Builtin{Name: name, Decl: b.Decl},
			opt:  oparego.FunctionDyn(fn, wrap(b.Name, r, impl)),
		}
	}
	return out
})

// sandboxOptions registers the wrapped builtins with a rego.Rego.
func sandboxOptions() []func(*oparego.Rego) {
	bs := sandboxBuiltins()
	out := make([]func(*oparego.Rego), 0, len(bs))
	for _, name := range slices.Sorted(maps.Keys(bs)) {
		out = append(out, bs[name].opt)
	}
	return out
}

// renameStage is the last compiler stage: it points every call of a
// wrapped builtin (and every `with` that mocks one) at its wrapper, after
// type checking has seen the original names. OPA looks builtins up by
// name when it evaluates, and prefers its own implementation to one given
// under the same name, hence the new name.
var renameStage = ast.CompilerStageDefinition{
	Name:       "RingwiseSandboxBuiltins",
	MetricName: "ringwise_sandbox_builtins",
	Stage: func(c *ast.Compiler) *ast.Error {
		bs := sandboxBuiltins()
		rename := func(t *ast.Term) *ast.Term {
			ref, ok := t.Value.(ast.Ref)
			if !ok {
				return t
			}
			if _, ok := bs[ref.String()]; !ok {
				return t
			}
			nr := ast.Ref{ast.VarTerm(strings.TrimSuffix(wrapPrefix, "."))}
			for _, p := range strings.Split(ref.String(), ".") {
				nr = append(nr, ast.StringTerm(p))
			}
			nt := ast.NewTerm(nr)
			nt.Location = t.Location
			return nt
		}
		vis := ast.NewGenericVisitor(func(x any) bool {
			switch x := x.(type) {
			case *ast.Expr:
				if terms, ok := x.Terms.([]*ast.Term); ok && len(terms) > 0 {
					terms[0] = rename(terms[0])
				}
				for _, w := range x.With {
					w.Target = rename(w.Target)
					w.Value = rename(w.Value)
				}
			case ast.Call:
				if len(x) > 0 {
					x[0] = rename(x[0])
				}
			}
			return false
		})
		for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
			vis.Walk(c.Modules[name])
		}
		return nil
	},
}

// sandboxCompiler returns a compiler for gates and their tests: the
// sandbox's capabilities (with the wrappers declared, so that the type
// checker knows them after renaming), print statements enabled, Rego v1.
func sandboxCompiler() *ast.Compiler {
	caps := Capabilities()
	for _, name := range slices.Sorted(maps.Keys(sandboxBuiltins())) {
		caps.Builtins = append(caps.Builtins, sandboxBuiltins()[name].decl)
	}
	c := ast.NewCompiler().
		WithCapabilities(caps).
		WithEnablePrintStatements(true).
		WithDefaultRegoVersion(ast.RegoV1)
	// OPA rewrites a == b into the unification a = b, which recurses once
	// per composite element compared (continuation passing): two arrays
	// with millions of nested elements, or values that share structure,
	// overflow the goroutine stack, a fatal error. equal compares by
	// recursion over nesting depth, which the source bounds.
	return c.WithStageAfterID(ast.StageBuildRequiredCapabilities, renameStage).
		WithSkipStages(ast.StageRewriteEquals)
}

// compilingNow counts compilations abandoned by compileBounded that are
// still running.
var compilingNow atomic.Int32

// compileBounded compiles modules with c in a goroutine, and gives up
// after MaxCompileTime: the goroutine then runs on until OPA's compiler
// returns. While MaxAbandoned such compilations run, it refuses to start
// another, so that hostile policies cannot pile them up.
func compileBounded(c *ast.Compiler, modules map[string]*ast.Module) error {
	const maxAbandoned = 2
	if compilingNow.Load() >= maxAbandoned {
		return fmt.Errorf("refusing to compile: %d earlier compilations ran past %s and are still running", maxAbandoned, MaxCompileTime)
	}
	done := make(chan any, 1)
	var abandoned atomic.Bool
	go func() {
		defer func() {
			done <- recover()
			if !abandoned.CompareAndSwap(false, true) {
				compilingNow.Add(-1)
			}
		}()
		c.Compile(modules)
	}()
	t := time.NewTimer(MaxCompileTime)
	defer t.Stop()
	select {
	case p := <-done:
		if p != nil {
			return fmt.Errorf("compiling panicked: %v", p)
		}
		return nil
	case <-t.C:
	}
	if abandoned.CompareAndSwap(false, true) {
		compilingNow.Add(1)
		return fmt.Errorf("compiling took more than %s, the gate sandbox's limit (values that repeat themselves, such as x1 := [x0, x0] and x2 := [x1, x1], make OPA's type checker take exponential time)", MaxCompileTime)
	}
	if p := <-done; p != nil {
		return fmt.Errorf("compiling panicked: %v", p)
	}
	return nil
}
