package rego

// Evaluating a compiled gate: the sandboxed run with its deadline, hard
// stop and budget, captured print() output, and the verdict's messages.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/ringwise/ringwise/rollout"
)

// Limits on captured print() output per evaluation.
const (
	maxLogLines = 100
	maxLogLine  = 1000
)

// printLog captures print() output of one evaluation.
type printLog struct {
	lines   []string
	dropped int
}

func (p *printLog) Print(pc print.Context, s string) error {
	if len(p.lines) >= maxLogLines {
		p.dropped++
		return nil
	}
	if len(s) > maxLogLine {
		s = s[:maxLogLine] + "..."
	}
	if l := pc.Location; l != nil {
		s = fmt.Sprintf("%s:%d: %s", l.File, l.Row, s)
	}
	p.lines = append(p.lines, s)
	return nil
}

// zeroSeed is the seed of every evaluation: a fixed stream of zeros.
type zeroSeed struct{}

func (zeroSeed) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Evaluate runs the gate on in and returns its verdict. The evaluation sees
// in as its input document (see InputValue), data from the gate's data
// files, and in.Now as the time (time.now_ns()); it runs with a fixed seed,
// strict builtin errors and the gate's deadline (ctx may shorten it).
//
// Evaluate fails closed: an evaluation error, a timeout, an undefined
// result or one that does not follow the output contract is an error, and
// the engine holds the rollout. Errors that come from a rule are *Error
// values naming its file and line.
func (g *Gate) Evaluate(ctx context.Context, in rollout.GateInput) (v rollout.GateVerdict, err error) {
	if g.stuck.Load() > 0 {
		return v, fmt.Errorf("rego: %s: an earlier evaluation of this gate is still running past its deadline inside one operation; refusing to start another", g.pkg)
	}
	input, err := g.inputValue(in)
	if err != nil {
		return v, err
	}
	b := newBudget()
	log := &printLog{}
	rs, err := run(ctx, g.timeout, b, &g.stuck, func(ctx context.Context) (oparego.ResultSet, error) {
		return g.pq.Eval(ctx,
			oparego.EvalParsedInput(input),
			oparego.EvalTime(in.Now),
			evalSeed,
			oparego.EvalPrintHook(log),
			oparego.EvalExternalCancel(b),
		)
	})
	if err != nil {
		return v, limitMessage(ctx, b, g.timeout, err)
	}
	if len(rs) != 1 {
		return v, fmt.Errorf("rego: %s: query result is undefined", g.pkg)
	}
	t, _ := rs[0].Bindings["__ringwise__"].(*ast.Term)
	var arr *ast.Array
	if t != nil {
		arr, _ = t.Value.(*ast.Array)
	}
	if arr == nil || arr.Len() != len(g.outputs) {
		return v, fmt.Errorf("rego: %s: unexpected query result", g.pkg)
	}
	for i, o := range g.outputs {
		if err := g.messages(&v, o, arr.Elem(i).Value); err != nil {
			return rollout.GateVerdict{}, err
		}
	}
	v.Log = log.lines
	if log.dropped > 0 {
		v.Log = append(v.Log, fmt.Sprintf("(%d more print lines dropped)", log.dropped))
	}
	return v, nil
}

// overrunGrace is how long Evaluate waits, past the deadline, for an
// evaluation to notice it: OPA checks for cancellation between
// expressions, and one builtin call, bounded by the sandbox, may still be
// running.
const overrunGrace = 250 * time.Millisecond

// errAbandoned is returned by run for an evaluation that did not stop
// within overrunGrace of its deadline.
var errAbandoned = errors.New("rego: evaluation did not stop at its deadline")

// run evaluates in a goroutine of its own so that Evaluate returns by
// its deadline (plus overrunGrace) even when the evaluator is stuck in a
// single operation that does not check for cancellation (such as
// comparing two values that share structure exponentially). Such an
// evaluation is abandoned, and the gate refuses to evaluate until it ends,
// so that at most one runs per gate.
func run(ctx context.Context, timeout time.Duration, b *budget, stuck *atomic.Int32, eval func(context.Context) (oparego.ResultSet, error)) (oparego.ResultSet, error) {
	type result struct {
		rs  oparego.ResultSet
		err error
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, b.Cancel)
		defer stop()
	}
	ectx := context.WithValue(ctx, budgetKey{}, b)
	done := make(chan result, 1)
	var abandoned atomic.Bool
	evaluators.do(func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("rego: evaluation panicked: %v", p)}
			}
			done <- r
			if !abandoned.CompareAndSwap(false, true) {
				stuck.Add(-1)
			}
		}()
		r.rs, r.err = eval(ectx)
	})
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.rs, r.err
	case <-ctx.Done():
	case <-t.C:
		b.deadline.Store(true)
	}
	b.Cancel()
	t.Reset(overrunGrace)
	select {
	case r := <-done:
		return r.rs, r.err
	case <-t.C:
	}
	if abandoned.CompareAndSwap(false, true) {
		stuck.Add(1)
		return nil, errAbandoned
	}
	r := <-done
	return r.rs, r.err
}

// evalSeed is the seed option of every evaluation.
var evalSeed = oparego.EvalSeed(zeroSeed{})

// evaluators runs evaluations. OPA's evaluator needs a deep stack; a
// goroutine kept between evaluations keeps the stack it grew, where a
// fresh one would grow (copy) it on every evaluation.
var evaluators = workers{idle: make(chan chan func(), 4*runtime.GOMAXPROCS(0))}

// workers is a pool of goroutines that run functions. A busy worker (one
// abandoned by run, still stuck) is simply not idle; there are never more
// idle workers than idle's capacity.
type workers struct {
	idle chan chan func()
}

// do runs f on an idle worker, or on a new one.
func (w *workers) do(f func()) {
	select {
	case jobs := <-w.idle:
		jobs <- f
	default:
		jobs := make(chan func(), 1)
		jobs <- f
		go w.work(jobs)
	}
}

func (w *workers) work(jobs chan func()) {
	for f := range jobs {
		f()
		select {
		case w.idle <- jobs:
		default:
			return // enough idle workers
		}
	}
}

// limitMessage describes an error of an evaluation with its budget and
// deadline: the sandbox's limits first, then OPA's errors, located where
// they can be.
func limitMessage(parent context.Context, b *budget, timeout time.Duration, err error) error {
	if errors.Is(err, errAbandoned) {
		return fmt.Errorf("rego: evaluation ran past its %s deadline and did not stop within %s: %w", timeout, overrunGrace, context.DeadlineExceeded)
	}
	if b.stepsOut() {
		return fmt.Errorf("rego: evaluation took more than %d steps, the gate sandbox's limit", MaxSteps)
	}
	if b.deadline.Load() {
		return fmt.Errorf("rego: evaluation ran past its %s deadline: %w", timeout, context.DeadlineExceeded)
	}
	if parent.Err() != nil {
		return fmt.Errorf("rego: evaluation cancelled: %w", parent.Err())
	}
	if topdown.IsCancel(err) {
		return fmt.Errorf("rego: evaluation cancelled: %w", err)
	}
	var te *topdown.Error
	if errors.As(err, &te) {
		return &Error{Src: locSrc(te.Location), Code: te.Code, Msg: strings.ReplaceAll(te.Message, wrapPrefix, "")}
	}
	return fmt.Errorf("rego: evaluation failed: %w", err)
}

// messages appends the messages of one output to v.
func (g *Gate) messages(v *rollout.GateVerdict, o output, val ast.Value) error {
	name := outputNames[o.action]
	ill := func(format string, args ...any) error {
		return &Error{Src: o.src, Code: "ringwise_output_error", Msg: name + ": " + fmt.Sprintf(format, args...)}
	}
	if o.whole {
		arr, ok := val.(*ast.Array)
		if !ok || arr.Len() == 0 {
			return ill("the rule is undefined; write `%s contains msg if { ... }` so that it is empty, not undefined, when nothing applies", name)
		}
		val = arr.Elem(0).Value
	}
	set, ok := val.(ast.Set)
	if !ok {
		return ill("must be a set of messages, got %s", ast.ValueName(val))
	}
	dst := [...]*[]rollout.GateMessage{&v.Hold, &v.Halt, &v.Rollback}[o.action]
	sorted := set.Sorted()
	for i := range sorted.Len() {
		t := sorted.Elem(i)
		switch m := t.Value.(type) {
		case ast.String:
			*dst = append(*dst, rollout.GateMessage{Msg: string(m), Src: o.src})
		case ast.Object:
			var s ast.String
			ok := false
			if mt := m.Get(ast.InternedTerm("msg")); mt != nil {
				s, ok = mt.Value.(ast.String)
			}
			if !ok {
				return ill("a message object needs a string msg, got %s", t)
			}
			*dst = append(*dst, rollout.GateMessage{Msg: string(s), Src: o.src})
		default:
			return ill("a message must be a string or an object with a string msg, got %s %s", ast.ValueName(t.Value), t)
		}
	}
	return nil
}
