package rego

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Per-input budget of FuzzCompileGate: compiling is bounded by
// MaxCompileTime, and the evaluation (10ms deadline) by its grace.
const (
	fuzzWall  = MaxCompileTime + 2*time.Second
	fuzzBytes = 512 << 20
)

// hostileFiles returns the gates of testdata/hostile, seeds of the fuzz
// target.
func hostileFiles(f *testing.F) []string {
	paths, err := filepath.Glob("testdata/hostile/*.rego")
	if err != nil {
		f.Fatal(err)
	}
	return paths
}

// FuzzCompileGate compiles arbitrary modules and data: no input panics,
// every error names a file and a line, a gate that compiles evaluates
// without panicking, and both together stay within a time and memory
// budget per input (fuzzWall, fuzzBytes).
func FuzzCompileGate(f *testing.F) {
	paths, _ := filepath.Glob("../../examples/policies/gates/*")
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if strings.HasSuffix(p, ".rego") {
			f.Add(string(src), "", "")
		} else {
			f.Add("package g\nhold contains \"x\" if data.x\n", filepath.Base(p), string(src))
		}
	}
	for _, src := range []string{
		"package g\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n",
		"package g\n\nimport data.lib.calendar\n\nhold contains \"x\" if calendar.frozen\n",
		"package g\n\na if b\n\nb if a\n\nhold contains \"x\" if a\n",
		"package g\n\nhold contains x if { x := http.send({}) }\n",
		"package g\n\nhold := \"x\"\n",
		"package g\n\nhold contains 1 if true\nhalt contains {\"msg\": 2} if true\n",
		"package g\n\nv := 1 if true\nv := 2 if true\nhold contains \"x\" if v\n",
		"package g\nhold contains \"x\" if count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)]) > 0\n",
		"package g\nhold.a.b contains \"x\" if true\nrollback[\"x\"] := 1\n",
		"package g\n__ringwise_hold_0 contains \"x\" if true\n",
		"package g\nimport rego.v1\nhold contains sprintf(\"%v\", [input]) if true\n",
		"",
		"package",
		"\xff\xfe",
	} {
		f.Add(src, "d.json", `{"x": true}`)
	}
	f.Add("package g\nhold contains \"x\" if data.x\n", "d.yaml", "x: [1, 2\n")
	f.Add("package g\nhold contains \"x\" if data.x\n", "d.yaml", "1: x\n")
	f.Add("package g\nhold contains \"x\" if data.g.hold\n", "d.json", `{"g": {"hold": 1}}`)
	for _, p := range hostileFiles(f) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), "", "")
	}
	f.Fuzz(func(t *testing.T, src, dataName, data string) {
		// The sandbox's promise, per input: compiling and one evaluation
		// end within fuzzWall and allocate at most fuzzBytes.
		a0 := readMetric("/gc/heap/allocs:bytes")
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > fuzzWall {
				t.Errorf("compiling and evaluating took %s, over %s", d, fuzzWall)
			}
			if a := readMetric("/gc/heap/allocs:bytes") - a0; a > fuzzBytes {
				t.Errorf("compiling and evaluating allocated %s, over %s", byteSize(int64(a)), byteSize(fuzzBytes))
			}
		}()
		spec := Spec{Name: "f", Modules: []File{{Name: "f.rego", Src: []byte(src)}}}
		if dataName != "" {
			spec.Data = []File{{Name: dataName, Src: []byte(data)}}
		}
		g, err := Compile(spec, WithTimeout(10*time.Millisecond))
		if err != nil {
			errs := Errors(err)
			if len(errs) == 0 {
				t.Fatalf("error without a position: %v", err)
			}
			for _, e := range errs {
				if e.Src.File == "" || e.Src.Line < 1 || e.Src.Column < 1 {
					t.Errorf("error without a file and line: %#v", e)
				}
				if e.Code == "ringwise_internal_error" {
					t.Errorf("internal error: %v", e)
				}
			}
			return
		}
		_, err = g.Evaluate(context.Background(), gateInput())
		if err != nil && strings.Contains(err.Error(), "panicked") {
			t.Fatal(err)
		}
	})
}
