//go:build !ringwise_gates

package main

// Compare is in the full module only (see compare_on.go).
func Compare(base, head map[string]string, scenario string, opts CompareOptions, progress func(done, total int)) (*CompareResult, *Failure) {
	return nil, failf("compare runs in the full module (ringwise-gates.wasm); this build leaves review out")
}
