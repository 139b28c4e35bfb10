package rego

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/ringwise/ringwise/rollout"
)

// The benchmarks run the example critical-tier gate (a YAML data file,
// time parsing, a hold and a halt rule) on a transition into its ring.
// BenchmarkGateEval goes through this package (input built from a
// rollout.GateInput on every call, deadline, seed, print capture, verdict
// decoding); BenchmarkOPAPreparedEval is the same module, data and input
// evaluated straight through OPA's PreparedEvalQuery, with the input as a
// ready-made Go map (as encoding/json decodes it) and no deadline. Compare:
//
//	go test -run '^$' -bench 'GateEval|OPAPreparedEval' -count 6 ./policy/rego

const benchDir = "../../examples/policies/gates/"

func benchFiles(b *testing.B) (File, File) {
	mod, err := os.ReadFile(benchDir + "tenant_tier.rego")
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(benchDir + "tiers.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return File{Name: "tenant_tier.rego", Src: mod}, File{Name: "tiers.yaml", Src: data}
}

func benchInput() rollout.GateInput {
	in := gateInput()
	in.Current = rollout.Position{Ring: "broad", Index: 1, Step: 2, Percent: 100}
	in.Proposed = rollout.Position{Ring: "critical", Index: 2, Step: 0, Percent: 10}
	in.State.Started = t0.Add(-96 * time.Hour)
	in.Approvals = []rollout.Approval{{Ring: "broad", By: "ana"}}
	return in
}

func BenchmarkGateEval(b *testing.B) {
	mod, data := benchFiles(b)
	// A generous deadline: the benchmark measures cost, and a loaded machine
	// can stall one evaluation past the default.
	g, err := Compile(Spec{Name: "critical-tier", Modules: []File{mod}, Data: []File{data}}, WithTimeout(MaxTimeout))
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	ctx := context.Background()
	if v, err := g.Evaluate(ctx, in); err != nil || len(v.Halt) != 1 {
		b.Fatalf("verdict %+v, %v", v, err)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := g.Evaluate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the CPU time per operation (cpu-ns/op) when the
// returned function is called: on a shared machine, wall time (ns/op)
// also counts the time other processes take the CPU.
func reportCPU(b *testing.B) func() {
	cpu0, ok := cpuTime()
	return func() {
		if cpu1, ok1 := cpuTime(); ok && ok1 && b.N > 0 {
			b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
		}
	}
}

func BenchmarkOPAPreparedEval(b *testing.B) {
	mod, data := benchFiles(b)
	d, e := parseData(data)
	if e != nil {
		b.Fatal(e)
	}
	ctx := context.Background()
	pq, err := oparego.New(
		oparego.Query("hold := data.ringwise.gates.tenant_tier.hold; halt := data.ringwise.gates.tenant_tier.halt"),
		oparego.Module(mod.Name, string(mod.Src)),
		oparego.Store(inmem.NewFromObjectWithOpts(d, inmem.OptReturnASTValuesOnRead(true))),
		oparego.StoreReadAST(true),
		oparego.SetRegoVersion(ast.RegoV1),
	).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(benchInput())
	if err != nil {
		b.Fatal(err)
	}
	var input map[string]any
	if err := json.Unmarshal(raw, &input); err != nil {
		b.Fatal(err)
	}
	if rs, err := pq.Eval(ctx, oparego.EvalInput(input)); err != nil || len(rs) != 1 || len(rs[0].Bindings["halt"].([]any)) != 1 {
		b.Fatalf("result %v, %v", rs, err)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := pq.Eval(ctx, oparego.EvalInput(input)); err != nil {
			b.Fatal(err)
		}
	}
}
