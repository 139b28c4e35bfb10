// Package fuzzbudget holds the budget of time and memory that a fuzz
// target gives each input, so that an input that makes a parser work
// without end (an expression bomb, a quadratic path) fails the fuzz run
// instead of going unnoticed. Only tests import it.
package fuzzbudget

import (
	"runtime/metrics"
	"testing"
	"time"
)

// Budget is what one input may cost: Time, and Bytes plus PerByte for
// each byte of the input, of heap allocated.
type Budget struct {
	Time    time.Duration
	Bytes   uint64
	PerByte uint64
}

// Default is the budget of the parsers' fuzz targets: generous for a
// loaded machine, and far below what an expression bomb takes (it
// allocated ~70 MB/s without end).
var Default = Budget{Time: 3 * time.Second, Bytes: 64 << 20, PerByte: 512}

const allocs = "/gc/heap/allocs:bytes"

// Run runs f on an input of size n and fails t when it took longer or
// allocated more than b allows. An input that runs past the time budget
// fails at once, without waiting for f (which is left running: the fuzz
// worker reports the input and exits), so a hang is found, not waited on.
func (b Budget) Run(t testing.TB, n int, f func()) {
	t.Helper()
	sample := []metrics.Sample{{Name: allocs}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	start := time.Now()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	timer := time.NewTimer(b.Time)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			panic(p)
		}
	case <-timer.C:
		t.Fatalf("input of %d bytes still running after %s, the budget", n, b.Time)
	}
	elapsed := time.Since(start)
	metrics.Read(sample)
	used := sample[0].Value.Uint64() - before
	if elapsed > b.Time {
		t.Errorf("input of %d bytes took %s; the budget is %s", n, elapsed, b.Time)
	}
	if limit := b.Bytes + b.PerByte*uint64(n); used > limit {
		t.Errorf("input of %d bytes allocated %d MB; the budget is %d MB", n, used>>20, limit>>20)
	}
}
