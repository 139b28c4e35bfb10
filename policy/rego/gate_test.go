package rego

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/rollout"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// module compiles one module named g.rego, with a generous deadline
// (-race on a loaded machine is slow) unless opts set one.
func module(src string, opts ...Option) (*Gate, error) {
	opts = append([]Option{WithTimeout(MaxTimeout)}, opts...)
	return Compile(Spec{Name: "g", Modules: []File{{Name: "g.rego", Src: []byte(src)}}}, opts...)
}

func mustModule(t testing.TB, src string, opts ...Option) *Gate {
	t.Helper()
	g, err := module(src, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// gateInput is a typical transition: canary done, entering broad.
func gateInput() rollout.GateInput {
	return rollout.GateInput{
		Now:     t0,
		Rollout: "s-7.21-rollout",
		Plan:    "sensor",
		Update:  rollout.Update{ID: "s-7.21", Kind: "sensor"},
		Current: rollout.Position{Ring: "canary", Index: 0, Step: 0, Percent: 100},
		Proposed: rollout.Position{Ring: "broad", Index: 1, Step: 0, Percent: 5,
			Capped: true},
		State: rollout.StateView{Phase: rollout.Running, Started: t0.Add(-6 * time.Hour), StepStarted: t0.Add(-4 * time.Hour)},
		Observed: rollout.Observation{At: t0.Add(-time.Minute),
			Updated:  rollout.Cohort{Hosts: 50, Healthy: 49, Silent: 1, Signals: map[string]rollout.Signal{"crash": {Count: 1, Hours: 212.5}}, Strata: map[string]int{"os_build=22631": 30, "os_build=26100": 19}},
			Baseline: rollout.Cohort{Hosts: 9950, Healthy: 9900, Signals: map[string]rollout.Signal{"crash": {Count: 12}}},
		},
	}
}

func TestCompileErrors(t *testing.T) {
	type want struct {
		file string
		line int
		code string
		text string
	}
	tests := []struct {
		name string
		spec Spec
		want []want
	}{
		{"syntax error", mod("package g\n\nhold contains msg if {\n\tmsg := \n}\n"),
			[]want{{"g.rego", 5, "rego_parse_error", "unexpected }"}}},
		{"rego v0 syntax", mod("package g\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n"),
			[]want{{"g.rego", 3, "rego_parse_error", "`if` keyword is required"}, {"g.rego", 3, "rego_parse_error", "`contains` keyword is required"}}},
		{"unknown import", mod("package g\n\nimport data.lib.calendar\n\nhold contains \"x\" if calendar.frozen\n"),
			[]want{{"g.rego", 3, "ringwise_import_error", "import data.lib.calendar: no module or data file of this gate defines it"}}},
		{"unknown future keyword", mod("package g\n\nimport future.keywords.nope\n\nhold contains \"x\" if true\n"),
			[]want{{"g.rego", 3, "rego_parse_error", "unexpected keyword"}}},
		{"recursion", mod("package g\n\na if b\n\nb if a\n\nhold contains \"x\" if a\n"),
			[]want{{"g.rego", 3, "rego_recursion_error", "rule data.g.a is recursive"}, {"g.rego", 5, "rego_recursion_error", "rule data.g.b is recursive"}}},
		{"unsafe variable", mod("package g\n\nhold contains msg if {\n\tx == 1\n}\n"),
			[]want{{"g.rego", 3, "rego_unsafe_var_error", "var msg is unsafe"}}},
		{"type error", mod("package g\n\nhold contains msg if {\n\tmsg := 1 + \"a\"\n}\n"),
			[]want{{"g.rego", 4, "rego_type_error", "plus"}}},
		{"no output rule", mod("package g\n\nallow := true\n"),
			[]want{{"g.rego", 1, queryErrCode, "defines no hold, halt or rollback rule"}}},
		{"query undefined", Spec{Modules: mod("package g\n\nhold contains \"x\" if true\n").Modules, Query: "data.nope"},
			[]want{{"g.rego", 1, queryErrCode, "query data.nope is undefined"}}},
		{"query not a reference", Spec{Modules: mod("package g\n\nhold contains \"x\" if true\n").Modules, Query: "1 + 1"},
			[]want{{"g.rego", 1, queryErrCode, "not a package reference"}}},
		{"two packages, no query", Spec{Modules: []File{
			{"a.rego", []byte("package a\n\nhold contains \"x\" if true\n")},
			{"b.rego", []byte("package b\n\nhalt contains \"y\" if true\n")},
		}}, []want{{"a.rego", 1, queryErrCode, "packages data.a, data.b all define"}}},
		{"empty module", mod(""), []want{{"g.rego", 1, "rego_parse_error", "empty module"}}},
		{"comment only module", mod("# nothing\n"), []want{{"g.rego", 1, "rego_parse_error", ""}}},
		{"no modules", Spec{Name: "g"}, []want{{"<gate g>", 1, "", "at least one Rego module"}}},
		{"module listed twice", Spec{Modules: []File{{"g.rego", []byte("package g\nhold contains \"x\" if true\n")}, {"g.rego", []byte("package g\n")}}},
			[]want{{"g.rego", 1, "", "listed twice"}}},
		{"reserved rule name", mod("package g\n\n__ringwise_hold_0 := 1\n\nhold contains \"x\" if true\n"),
			[]want{{"g.rego", 3, "", "reserved"}}},
		{"data not JSON", withData(mod("package g\nhold contains \"x\" if true\n"), "d.json", "{\n  \"days\": [1, 2,\n}\n"),
			[]want{{"d.json", 3, "ringwise_data_error", "not valid JSON"}}},
		{"data empty", withData(mod("package g\nhold contains \"x\" if true\n"), "d.json", ""),
			[]want{{"d.json", 1, "ringwise_data_error", "empty file"}}},
		{"data trailing", withData(mod("package g\nhold contains \"x\" if true\n"), "d.json", "{}\n{}"),
			[]want{{"d.json", 2, "ringwise_data_error", "data after the top-level value"}}},
		{"data not YAML", withData(mod("package g\nhold contains \"x\" if true\n"), "d.yaml", "days:\n  - 1\n   - 2\nx: [\n"),
			[]want{{"d.yaml", 4, "ringwise_data_error", "not valid YAML"}}},
		{"data YAML with a non-string key", withData(mod("package g\nhold contains \"x\" if true\n"), "d.yaml", "days:\n  1: a\n"),
			[]want{{"d.yaml", 1, "ringwise_data_error", "not a string"}}},
		{"data not an object", withData(mod("package g\nhold contains \"x\" if true\n"), "d.json", "[1, 2]"),
			[]want{{"d.json", 1, "ringwise_data_error", "must hold an object"}}},
		{"data files conflict", withData(withData(mod("package g\nhold contains \"x\" if true\n"), "a.json", `{"x": {"y": 1}}`), "b.json", `{"x": {"y": 2}}`),
			[]want{{"b.json", 1, "ringwise_data_error", "data.x.y is defined by two data files"}}},
		{"data conflicts with a rule", withData(mod("package g\nhold contains \"x\" if true\n"), "a.json", `{"g": {"hold": 1}}`),
			[]want{{"g.rego", 2, "rego_compile_error", "conflict"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Compile(tc.spec)
			if err == nil {
				t.Fatalf("Compile succeeded: %v", g.Package())
			}
			errs := Errors(err)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.want), err)
			}
			for i, w := range tc.want {
				e := errs[i]
				if e.Src.File != w.file || e.Src.Line != w.line || e.Code != w.code || !strings.Contains(e.Msg, w.text) {
					t.Errorf("error %d = %v (file %q line %d code %q); want %s:%d %s containing %q", i, e, e.Src.File, e.Src.Line, e.Code, w.file, w.line, w.code, w.text)
				}
				if !strings.HasPrefix(e.Error(), fmt.Sprintf("%s:%d:", w.file, w.line)) {
					t.Errorf("error %d does not start with FILE:LINE: %q", i, e.Error())
				}
			}
		})
	}
}

func mod(src string) Spec {
	return Spec{Name: "g", Modules: []File{{Name: "g.rego", Src: []byte(src)}}}
}

func withData(s Spec, name, src string) Spec {
	s.Data = append(s.Data, File{Name: name, Src: []byte(src)})
	return s
}

// Every builtin removed from the sandbox (I/O, nondeterminism, unbounded
// work) fails to compile, at the call's position, saying so.
func TestSandbox(t *testing.T) {
	calls := map[string]string{
		"http.send":                         `http.send({"method": "get", "url": "https://example.com"})`,
		"net.lookup_ip_addr":                `net.lookup_ip_addr("example.com")`,
		"net.cidr_contains":                 `net.cidr_contains("10.0.0.0/8", "10.1.1.1")`,
		"rand.intn":                         `rand.intn("x", 10)`,
		"uuid.rfc4122":                      `uuid.rfc4122("x")`,
		"opa.runtime":                       `opa.runtime()`,
		"io.jwt.encode_sign":                `io.jwt.encode_sign({"alg": "HS256"}, {}, {"kty": "oct", "k": "AAAA"})`,
		"json.match_schema":                 `json.match_schema({}, {})`,
		"crypto.x509.parse_rsa_private_key": `crypto.x509.parse_rsa_private_key("x")`,
		"crypto.x509.parse_and_verify_certificates": `crypto.x509.parse_and_verify_certificates("x")`,
		"graphql.parse_query":                       `graphql.parse_query("{ a }")`,
		"strings.render_template":                   `strings.render_template("{{.a}}", {"a": 1})`,
		"walk":                                      `[p | walk(input, [p, _])]`,
		"semver.is_valid (kept)":                    `semver.is_valid("1.0.0")`,
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			src := fmt.Sprintf("package g\n\nhold contains msg if {\n\tx := %s\n\tmsg := sprintf(\"%%v\", [x])\n}\n", call)
			_, err := module(src)
			if strings.HasSuffix(name, " (kept)") {
				if err != nil {
					t.Fatalf("a deterministic builtin is refused: %v", err)
				}
				return
			}
			errs := Errors(err)
			if len(errs) == 0 {
				t.Fatalf("calling %s compiled", name)
			}
			col := strings.Index(call, name) + 7 // after "\tx := "
			if e := errs[0]; e.Src != (rollout.Source{File: "g.rego", Line: 4, Column: col}) || !strings.Contains(e.Msg, "undefined function "+name+": removed from the gate sandbox") {
				t.Errorf("got %v, want g.rego:4:%d: undefined function %s: removed from the gate sandbox", e, col, name)
			}
		})
	}
	caps := Capabilities()
	for _, b := range caps.Builtins {
		if b.Nondeterministic && b.Name != "time.now_ns" {
			t.Errorf("capabilities keep non-deterministic %s", b.Name)
		}
	}
	if len(caps.AllowNet) != 0 || caps.AllowNet == nil {
		t.Errorf("AllowNet = %#v, want empty (no host)", caps.AllowNet)
	}
}

func TestEvaluateVerdict(t *testing.T) {
	g := mustModule(t, `package g

hold contains "first" if input.update.kind == "sensor"

hold contains msg if {
	some a in ["b", "a"]
	msg := sprintf("second %s", [a])
}

halt contains {"msg": "stop", "severity": 3} if input.observation.updated.silent > 0

rollback contains "never" if false

hold contains "at now" if {
	time.now_ns() == time.parse_rfc3339_ns(input.now)
	print("now is", input.now)
}
`)
	got, err := g.Evaluate(context.Background(), gateInput())
	if err != nil {
		t.Fatal(err)
	}
	src := func(line int) rollout.Source { return rollout.Source{File: "g.rego", Line: line, Column: 1} }
	want := rollout.GateVerdict{
		Hold: []rollout.GateMessage{
			{Msg: "first", Src: src(3)},
			{Msg: "second a", Src: src(5)},
			{Msg: "second b", Src: src(5)},
			{Msg: "at now", Src: src(14)},
		},
		Halt: []rollout.GateMessage{{Msg: "stop", Src: src(10)}},
		Log:  []string{"g.rego:16: now is 2026-11-24T09:00:00Z"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdict (-want +got):\n%s", diff)
	}
	// Same input, same verdict.
	again, err := g.Evaluate(context.Background(), gateInput())
	if err != nil || !cmp.Equal(got, again) {
		t.Errorf("second evaluation differs: %v\n%s", err, cmp.Diff(got, again))
	}
}

// A gate that says nothing lets the transition proceed.
func TestEvaluateEmpty(t *testing.T) {
	g := mustModule(t, "package g\n\nhold contains \"x\" if input.update.kind == \"nope\"\n")
	got, err := g.Evaluate(context.Background(), gateInput())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rollout.GateVerdict{}, got); diff != "" {
		t.Errorf("verdict (-want +got):\n%s", diff)
	}
}

// Evaluation errors are errors, never an empty verdict.
func TestEvaluateFailsClosed(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts []Option
		want string
	}{
		{"conflict", "package g\n\nlevel := 1 if input.update.kind == \"sensor\"\n\nlevel := 2 if input.plan == \"sensor\"\n\nhold contains \"x\" if level > 1\n",
			nil, "g.rego:5:1: rego: eval_conflict_error: rule data.g.level produced conflicting values"},
		{"complete hold conflict", "package g\n\nhold := {\"a\"} if input.update.kind == \"sensor\"\n\nhold := {\"b\"} if input.plan == \"sensor\"\n",
			nil, "g.rego:5:1: rego: eval_conflict_error: rule data.g.hold produced conflicting values"},
		{"undefined", "package g\n\nhold := {\"x\"} if input.update.kind == \"nope\"\n",
			nil, "g.rego:3:1: rego: ringwise_output_error: hold: the rule is undefined"},
		{"not a set", "package g\n\nhold := \"stop\"\n",
			nil, "g.rego:3:1: rego: ringwise_output_error: hold: must be a set of messages, got string"},
		{"ref head", "package g\n\nhalt.a contains \"x\" if true\n",
			nil, "g.rego:3:1: rego: ringwise_output_error: halt: must be a set of messages, got object"},
		{"number message", "package g\n\nrollback contains 5 if true\n",
			nil, "g.rego:3:1: rego: ringwise_output_error: rollback: a message must be a string or an object with a string msg, got number 5"},
		{"object without msg", "package g\n\nhold contains {\"message\": \"x\"} if true\n",
			nil, "g.rego:3:1: rego: ringwise_output_error: hold: a message object needs a string msg"},
		{"builtin error", "package g\n\nhold contains msg if {\n\tn := to_number(input.update.id)\n\tmsg := sprintf(\"%d\", [n])\n}\n",
			nil, "g.rego:4:7: rego: eval_builtin_error: to_number: strconv.ParseFloat: parsing \"s-7.21\": invalid syntax"},
		{"division by zero", "package g\n\nhold contains msg if {\n\tmsg := sprintf(\"%v\", [1 / (input.observation.updated.hosts - 50)])\n}\n",
			nil, "g.rego:4:24: rego: eval_builtin_error: div: divide by zero"},
		{"deadline", "package g\n\nhold contains \"x\" if {\n\tcount([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000)]) > 0\n}\n",
			[]Option{WithTimeout(20 * time.Millisecond)}, "rego: evaluation ran past its 20ms deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustModule(t, tc.src, tc.opts...)
			start := time.Now()
			v, err := g.Evaluate(context.Background(), gateInput())
			if err == nil {
				t.Fatalf("Evaluate succeeded with %+v", v)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %q\nwant prefix %q", err, tc.want)
			}
			if !cmp.Equal(v, rollout.GateVerdict{}) {
				t.Errorf("verdict with an error: %+v", v)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func TestEvaluateDeadline(t *testing.T) {
	g := mustModule(t, "package g\n\nhold contains \"x\" if {\n\tcount([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000)]) > 0\n}\n", WithTimeout(30*time.Millisecond))
	start := time.Now()
	_, err := g.Evaluate(context.Background(), gateInput())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("a 30ms deadline took %s", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Evaluate(ctx, gateInput()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
}

func TestEvaluateBadInput(t *testing.T) {
	g := mustModule(t, "package g\n\nhold contains \"x\" if true\n")
	in := gateInput()
	in.Proposed.Percent = math.NaN()
	if _, err := g.Evaluate(context.Background(), in); err == nil || !strings.Contains(err.Error(), "unsupported number") {
		t.Errorf("NaN percent: err = %v", err)
	}
}

// Print output is captured, bounded.
func TestEvaluatePrintLimit(t *testing.T) {
	g := mustModule(t, "package g\n\nhold contains \"x\" if {\n\tsome i in numbers.range(1, 150)\n\tprint(i)\n}\n")
	v, err := g.Evaluate(context.Background(), gateInput())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Log) != maxLogLines+1 || v.Log[0] != "g.rego:5: 1" || v.Log[maxLogLines] != "(50 more print lines dropped)" {
		t.Errorf("log has %d lines: %q ... %q", len(v.Log), v.Log[0], v.Log[len(v.Log)-1])
	}
}

func TestQuery(t *testing.T) {
	spec := Spec{Modules: []File{
		{"lib.rego", []byte("package lib\n\nholiday if input.now == \"x\"\n")},
		{"a.rego", []byte("package gates.a\n\nimport data.lib\n\nhold contains \"a\" if not lib.holiday\n")},
		{"b.rego", []byte("package gates.b\n\nhold contains \"b\" if true\n")},
	}, Query: "data.gates.b"}
	g, err := Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	v, err := g.Evaluate(context.Background(), gateInput())
	if err != nil {
		t.Fatal(err)
	}
	if g.Package() != "data.gates.b" || len(v.Hold) != 1 || v.Hold[0].Msg != "b" {
		t.Errorf("package %s verdict %+v", g.Package(), v)
	}
	spec.Query = ""
	spec.Modules = spec.Modules[:2]
	g, err = Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	if g.Package() != "data.gates.a" {
		t.Errorf("default package %s", g.Package())
	}
}

func TestTimeoutOption(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second, time.Hour} {
		if _, err := module("package g\nhold contains \"x\" if true\n", WithTimeout(d)); err == nil {
			t.Errorf("WithTimeout(%s) accepted", d)
		}
	}
	g := mustModule(t, "package g\nhold contains \"x\" if true\n")
	if d, _ := Compile(mod("package g\nhold contains \"x\" if true\n")); d.Timeout() != DefaultTimeout {
		t.Errorf("default timeout %s", d.Timeout())
	}
	if g.Timeout() != MaxTimeout || g.Name() != "g" || !strings.HasPrefix(g.Digest(), "sha256:") {
		t.Errorf("timeout %s name %q digest %q", g.Timeout(), g.Name(), g.Digest())
	}
	h := mustModule(t, "package g\nhold contains \"y\" if true\n")
	if g.Digest() == h.Digest() {
		t.Error("different modules, same digest")
	}
}

// A Gate is safe for concurrent use (run with -race).
func TestConcurrentEvaluate(t *testing.T) {
	// A generous deadline: -race on a loaded machine is slow.
	g := mustModule(t, "package g\n\nhold contains msg if {\n\tprint(input.update.id)\n\tmsg := sprintf(\"%s at %s\", [input.update.id, input.now])\n}\n", WithTimeout(MaxTimeout))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				in := gateInput()
				in.Update.ID = fmt.Sprintf("u-%d-%d", w, i)
				v, err := g.Evaluate(context.Background(), in)
				if err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf("u-%d-%d at 2026-11-24T09:00:00Z", w, i)
				if len(v.Hold) != 1 || v.Hold[0].Msg != want || len(v.Log) != 1 || !strings.HasSuffix(v.Log[0], in.Update.ID) {
					errs <- fmt.Errorf("got %+v, want %s", v, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The timeout is part of the gate's digest, and so of the plan's: a gate
// that times out holds the rollout, so a new timeout changes decisions.
func TestDigestIncludesTimeout(t *testing.T) {
	spec := mod("package g\n\nhold contains \"x\" if false\n")
	a, err := Compile(spec, WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compile(spec, WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(spec, WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() == b.Digest() || a.Digest() != c.Digest() {
		t.Errorf("digests %s, %s, %s: want the timeout to change the digest, and only it", a.Digest(), b.Digest(), c.Digest())
	}
}

// An evaluation stuck in one operation that never checks the deadline
// (comparing two values that share structure: 2^26 leaves) returns at the
// deadline plus grace; while it runs on, the gate refuses to start
// another, and once it ends the gate evaluates again.
func TestEvaluateAbandonsStuckOperation(t *testing.T) {
	var src strings.Builder
	src.WriteString("package g\n\nhold contains \"x\" if a26 == b26\n")
	for _, p := range []string{"a", "b"} {
		fmt.Fprintf(&src, "%s0 := [\"x\", 1]\n", p)
		for i := 1; i <= 26; i++ {
			fmt.Fprintf(&src, "%s%d := [%s%d, %s%d]\n", p, i, p, i-1, p, i-1)
		}
	}
	g := mustModule(t, src.String(), WithTimeout(10*time.Millisecond))
	start := time.Now()
	_, err := g.Evaluate(context.Background(), gateInput())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %s", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if !strings.Contains(err.Error(), "did not stop") {
		t.Fatalf("err = %v, want the evaluation abandoned", err)
	}
	if _, err := g.Evaluate(context.Background(), gateInput()); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("second evaluation: %v, want a refusal while the first runs", err)
	}
	for deadline := time.Now().Add(2 * time.Minute); g.stuck.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned evaluation never ended")
		}
	}
	if _, err := g.Evaluate(context.Background(), gateInput()); err == nil || strings.Contains(err.Error(), "still running") {
		t.Errorf("after the first ended: %v, want a fresh evaluation (and its deadline)", err)
	}
}
