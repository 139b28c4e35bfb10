package simulate

import (
	"context"
	"time"
)

// A ProgressFunc learns how far a simulation has got, for a person
// watching: seed is the run's seed, at the simulated time (after the
// release) the run has reached, and done is true once, when the run has
// finished. Under MonteCarlo it is called from every worker goroutine, so
// it must be safe for concurrent use; it must not block for long, and
// nothing it does changes any result.
type ProgressFunc func(seed uint64, at time.Duration, done bool)

type progressKey struct{}

// WithProgress returns a context that makes Run and MonteCarlo report
// their progress to f: every 64 ticks of simulated time, and at the end of
// each run. The progress is an observer of the run, like cancellation,
// which is why it rides on the context.
func WithProgress(ctx context.Context, f ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// progressOf returns the ProgressFunc of ctx, or nil.
func progressOf(ctx context.Context) ProgressFunc {
	f, _ := ctx.Value(progressKey{}).(ProgressFunc)
	return f
}
