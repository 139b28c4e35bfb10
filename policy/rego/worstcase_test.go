package rego

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/types"
)

// worstCallTime bounds one builtin call on the largest arguments an
// evaluation can hold (generous: the machine may be loaded).
const worstCallTime = 3 * time.Second

// worstCallBytes bounds what one call may allocate.
const worstCallBytes = 3 * MaxEvalBytes

// worstCallLimit is worstCallBytes, times four under the race detector:
// in a -race build sync.Pool drops a quarter of what is put back, so code
// that pools its state (regexp's machines) allocates more than it does in
// a normal build (regex.replace on 256 KiB: 130 MiB, 412 MiB under -race).
func worstCallLimit() uint64 {
	if raceEnabled {
		return 4 * worstCallBytes
	}
	return worstCallBytes
}

// raceEnabled is set by race_test.go in a -race build.
var raceEnabled bool

// bigValues are large arguments (numbers at the sandbox's limit; strings
// and collections a few times larger than any gate needs, and small
// enough that the test ends in minutes: the costs they show are linear,
// so they scale), in shapes that are worst cases for some builtin (nesting for parsers, % and { for formats and templates, empty
// matches, a value that shares itself 2^30 times).
func bigValues() map[string]*ast.Term {
	const n = 256 << 10 // bytes of a big string
	const m = 20_000    // elements of a big collection
	ints := make([]*ast.Term, m)
	strs := make([]*ast.Term, m)
	kv := make([][2]*ast.Term, m)
	for i := range m {
		ints[i] = ast.IntNumberTerm(i)
		strs[i] = ast.StringTerm(fmt.Sprint(i))
		kv[i] = [2]*ast.Term{ast.StringTerm(fmt.Sprint(i)), ast.ArrayTerm(ast.IntNumberTerm(i), ast.StringTerm("x"))}
	}
	shared := ast.ArrayTerm(ast.StringTerm("xxxxxxxxxxxxxxxx"), ast.IntNumberTerm(1))
	for range 30 {
		shared = ast.ArrayTerm(shared, shared)
	}
	sharedObj := ast.ObjectTerm([2]*ast.Term{ast.StringTerm("a"), ast.IntNumberTerm(1)})
	for range 30 {
		sharedObj = ast.ObjectTerm([2]*ast.Term{ast.StringTerm("l"), sharedObj}, [2]*ast.Term{ast.StringTerm("r"), sharedObj})
	}
	return map[string]*ast.Term{
		"string a*256KiB":    ast.StringTerm(strings.Repeat("a", n)),
		"string [*256KiB":    ast.StringTerm(strings.Repeat("[", n)),
		"string {*256KiB":    ast.StringTerm(strings.Repeat("{{", n/2)),
		"string %*256KiB":    ast.StringTerm(strings.Repeat("%v", n/2)),
		"string (a*)*":       ast.StringTerm(strings.Repeat("(a*)*", 800)),
		"string *a glob":     ast.StringTerm(strings.Repeat("*a", 2000)),
		"string yaml nest":   ast.StringTerm(strings.Repeat("- ", n/2)),
		"string 1e999999999": ast.StringTerm("1e999999999"),
		"number 400 digits":  ast.NewTerm(ast.Number("9" + strings.Repeat("9", MaxNumberDigits-1))),
		"number -1e399":      ast.NewTerm(ast.Number("-1e399")),
		"number 1e-399":      ast.NewTerm(ast.Number("1e-399")),
		"number 2^40":        ast.IntNumberTerm(1 << 40),
		"number -2^40":       ast.IntNumberTerm(-(1 << 40)),
		"array 20k ints":     ast.ArrayTerm(ints...),
		"array 20k strings":  ast.ArrayTerm(strs...),
		"set 20k":            ast.SetTerm(ints...),
		"object 20k":         ast.ObjectTerm(kv...),
		"array shared 2^30":  shared,
		"object shared 2^30": sharedObj,
	}
}

// small returns an ordinary argument of type t.
func small(t types.Type) *ast.Term {
	switch t := t.(type) {
	case types.String:
		return ast.StringTerm("a")
	case types.Number:
		return ast.IntNumberTerm(2)
	case types.Boolean:
		return ast.BooleanTerm(true)
	case types.Null:
		return ast.NullTerm()
	case *types.Array:
		return ast.ArrayTerm(ast.StringTerm("a"))
	case *types.Set:
		return ast.SetTerm(ast.StringTerm("a"))
	case *types.Object:
		return ast.ObjectTerm([2]*ast.Term{ast.StringTerm("a"), ast.StringTerm("b")})
	case types.Any:
		if len(t) > 0 {
			return small(t[0])
		}
	}
	return ast.StringTerm("a")
}

// skipWorst lists builtins the evaluator calls with arguments the
// compiler built (they never see a gate's values directly) or that are
// replaced when compiling.
var skipWorst = []string{"internal.test_case", "print", "rego.metadata.chain", "rego.metadata.rule"}

// Every builtin left in the sandbox, called with the worst arguments an
// evaluation can hold in each position (the others ordinary), returns or
// fails within worstCallTime, allocating at most worstCallBytes: bounded by
// construction. Direct builtins are not given the values that share
// themselves 2^30 times: comparing those takes exponential time without
// allocating, and is what Evaluate's abandonment is for
// (TestEvaluateAbandonsStuckOperation).
func TestBuiltinWorstCases(t *testing.T) {
	big := bigValues()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range big {
			if !yield(k) {
				return
			}
		}
	})
	var worst struct {
		d     time.Duration
		bytes uint64
		what  string
	}
	for _, b := range Capabilities().Builtins {
		r := verdict(b.Name)
		if slices.Contains(skipWorst, b.Name) || b.Decl == nil {
			continue
		}
		impl := topdown.GetBuiltin(b.Name)
		if impl == nil {
			if r.class == wrapped {
				t.Errorf("%s: wrapped, but no implementation", b.Name)
			}
			continue // eq, assign: the evaluator's own unification
		}
		var call oparego.BuiltinDyn
		if r.class == wrapped {
			call = wrap(b.Name, r, impl)
		} else {
			call = func(bctx oparego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
				var out *ast.Term
				err := impl(bctx, args, func(t *ast.Term) error { out = t; return nil })
				return out, err
			}
		}
		params := b.Decl.FuncArgs().Args
		if v := b.Decl.FuncArgs().Variadic; v != nil && len(params) == 0 {
			params = []types.Type{v}
		}
		for i := range params {
			for _, name := range names {
				if r.class == direct && strings.Contains(name, "shared") {
					continue
				}
				args := make([]*ast.Term, len(params))
				for j, p := range params {
					args[j] = small(p)
				}
				args[i] = big[name]
				what := fmt.Sprintf("%s(arg %d = %s)", b.Name, i+1, name)
				bud := newBudget()
				bctx := oparego.BuiltinContext{
					Context:  context.WithValue(context.Background(), budgetKey{}, bud),
					Time:     ast.IntNumberTerm(1764000000000000000),
					Cancel:   bud,
					Location: &ast.Location{File: "worst.rego", Row: 1, Col: 1},
					Seed:     zeroSeed{},
				}
				a0 := readMetric("/gc/heap/allocs:bytes")
				start := time.Now()
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s panicked: %v", what, p)
						}
					}()
					_, _ = call(bctx, args)
				}()
				d := time.Since(start)
				alloc := readMetric("/gc/heap/allocs:bytes") - a0
				if d > worstCallTime {
					t.Errorf("%s took %s", what, d)
				}
				if limit := worstCallLimit(); alloc > limit {
					t.Errorf("%s allocated %s", what, byteSize(int64(alloc)))
				}
				if d > 200*time.Millisecond {
					t.Logf("slow: %s took %s", what, d)
				}
				if d > worst.d {
					worst.d, worst.what = d, what
				}
				worst.bytes = max(worst.bytes, alloc)
			}
		}
	}
	t.Logf("slowest call: %s, %s; most allocated by one call: %s", worst.what, worst.d, byteSize(int64(worst.bytes)))
}
