package rego

// The per-evaluation budget of the gate sandbox: steps, bytes charged by
// wrapped builtins, and the size and number checks the wrappers apply.

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// budget is what one evaluation may still spend. It is also the
// evaluation's topdown.Cancel: OPA asks Cancelled once per expression,
// which counts the steps.
type budget struct {
	steps     atomic.Int64 // remaining; below zero: exhausted
	bytes     atomic.Int64 // remaining
	cancelled atomic.Bool
	deadline  atomic.Bool // the deadline passed (set before cancelled)
}

func newBudget() *budget {
	b := &budget{}
	b.steps.Store(MaxSteps)
	b.bytes.Store(MaxEvalBytes)
	return b
}

// Cancel implements topdown.Cancel.
func (b *budget) Cancel() { b.cancelled.Store(true) }

// Cancelled implements topdown.Cancel; it counts one step.
func (b *budget) Cancelled() bool {
	if b.steps.Add(-1) < 0 {
		return true
	}
	return b.cancelled.Load()
}

func (b *budget) stepsOut() bool { return b.steps.Load() < 0 }

// budgetKey holds the *budget of an evaluation in its context, where
// the wrapped builtins find it.
type budgetKey struct{}

func budgetFrom(ctx context.Context) *budget {
	if ctx == nil {
		return nil
	}
	b, _ := ctx.Value(budgetKey{}).(*budget)
	return b
}

// errBudget marks errors of the sandbox's limits.
var errBudget = errors.New("gate sandbox limit")

type limitError struct{ msg string }

func (e *limitError) Error() string   { return e.msg }
func (e *limitError) Is(t error) bool { return t == errBudget }

func overLimit(format string, args ...any) error {
	return &limitError{msg: fmt.Sprintf(format, args...)}
}

// wrap returns the implementation of a wrapped builtin.
func wrap(name string, r builtinRule, impl topdown.BuiltinFunc) oparego.BuiltinDyn {
	prefix := name + ": "
	return func(bctx oparego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
		b := budgetFrom(bctx.Context)
		if b == nil {
			// Outside an evaluation the sandbox set up (e.g. a caller's own
			// rego.Rego): refuse rather than run unbounded.
			return nil, oparego.NewHaltError(overLimit("called outside the gate sandbox"))
		}
		if b.cancelled.Load() {
			return nil, oparego.NewHaltError(overLimit("evaluation cancelled"))
		}
		limit := b.bytes.Load()
		var est int64
		var err error
		if r.est != nil {
			est, err = r.est(args, limit)
		} else {
			est, err = argsSize(args, limit/max(r.amp, 1)+1)
			est *= r.amp
		}
		if err != nil {
			return nil, oparego.NewHaltError(err)
		}
		if est > limit {
			return nil, oparego.NewHaltError(overLimit("result would need about %s, more than the %s left of the gate's memory budget (%s per evaluation)", byteSize(est), byteSize(max(limit, 0)), byteSize(MaxEvalBytes)))
		}
		c := captures.Get().(*capture)
		err = impl(bctx, args, c.iter)
		out, called := c.out, c.called
		c.out, c.called = nil, false
		captures.Put(c)
		if err != nil {
			var te *topdown.Error
			if errors.As(err, &te) {
				if rest, ok := strings.CutPrefix(te.Message, prefix); ok {
					return nil, errors.New(rest)
				}
			}
			return nil, err
		}
		if out == nil {
			if called {
				// A void builtin (internal.print) that succeeded: OPA
				// continues on any result.
				return ast.NullTerm(), nil
			}
			return nil, nil
		}
		size, err := sizeOf(out, limit+1)
		if err != nil {
			return nil, oparego.NewHaltError(err)
		}
		if b.bytes.Add(-size) < 0 {
			return nil, oparego.NewHaltError(overLimit("exceeded the gate's memory budget of %s per evaluation", byteSize(MaxEvalBytes)))
		}
		return out, nil
	}
}

// capture receives the result of a builtin; pooled, with its iterator
// bound once, so that a call allocates nothing for it.
type capture struct {
	out    *ast.Term
	called bool
	iter   func(*ast.Term) error
}

var captures = sync.Pool{New: func() any {
	c := &capture{}
	c.iter = func(t *ast.Term) error { c.out, c.called = t, true; return nil }
	return c
}}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// nodeSize is what sizeOf counts for every value besides its text.
const nodeSize = 16

// sizeOf returns the expanded size of t: a value shared n times counts n
// times, as it would when printed or copied. It stops counting past limit
// (returning a number above it) and fails on a number beyond
// MaxNumberDigits. Its time is at most linear in min(size, limit).
func sizeOf(t *ast.Term, limit int64) (int64, error) {
	var n int64
	var err error
	var walk func(v ast.Value) bool
	walk = func(v ast.Value) bool {
		n += nodeSize
		switch v := v.(type) {
		case ast.String:
			n += int64(len(v))
		case ast.Number:
			n += int64(len(v))
			if e := checkNumber(v); e != nil {
				err = e
				return false
			}
		case *ast.Array:
			for i := range v.Len() {
				if n > limit || !walk(v.Elem(i).Value) {
					return false
				}
			}
		case ast.Set:
			for _, e := range v.Slice() {
				if n > limit || !walk(e.Value) {
					return false
				}
			}
		case ast.Object:
			for _, k := range v.Keys() {
				if n > limit || !walk(k.Value) || !walk(v.Get(k).Value) {
					return false
				}
			}
		}
		return n <= limit
	}
	walk(t.Value)
	return n, err
}

func argsSize(args []*ast.Term, limit int64) (int64, error) {
	var n int64
	for _, a := range args {
		s, err := sizeOf(a, limit-n)
		n += s
		if err != nil || n > limit {
			return n, err
		}
	}
	return n, nil
}

// checkNumber fails for a number beyond MaxNumberDigits.
func checkNumber(v ast.Number) error {
	s := string(v)
	if len(s) <= 24 {
		// At most 24 digits and an exponent of at most two digits: far
		// below the limit.
		i := strings.IndexAny(s, "eE")
		if i < 0 || len(strings.TrimLeft(s[i+1:], "+-")) <= 2 {
			return nil
		}
	}
	if len(s) > 2*MaxNumberDigits {
		return overLimit("number with %d characters: the gate sandbox allows %d digits", len(s), MaxNumberDigits)
	}
	f, ok := new(big.Float).SetString(s)
	if !ok {
		return nil
	}
	if exp := f.MantExp(nil); exp > maxNumberBits || (f.Sign() != 0 && exp < -maxNumberBits) {
		return overLimit("number %s is out of the gate sandbox's range (|x| < 1e%d)", shorten(s, 40), MaxNumberDigits)
	}
	return nil
}

// maxNumberBits is log2(10^MaxNumberDigits), rounded up.
const maxNumberBits = MaxNumberDigits*3322/1000 + 1

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func strArg(args []*ast.Term, i int) string {
	if i < len(args) {
		if s, ok := args[i].Value.(ast.String); ok {
			return string(s)
		}
	}
	return ""
}

func numArg(args []*ast.Term, i int) (*big.Float, bool) {
	if i < len(args) {
		if n, ok := args[i].Value.(ast.Number); ok {
			if err := checkNumber(n); err != nil {
				return nil, false
			}
			f, ok := new(big.Float).SetString(string(n))
			return f, ok
		}
	}
	return nil, false
}

func bitLen(args []*ast.Term, i int) int {
	f, ok := numArg(args, i)
	if !ok {
		return 0
	}
	return max(f.MantExp(nil), 0)
}
