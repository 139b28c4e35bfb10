package rego

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringwise/ringwise/rollout"
)

// viaJSON is the input document the slow way: json.Marshal, then decode.
func viaJSON(t *testing.T, in rollout.GateInput) ast.Value {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		t.Fatal(err)
	}
	v, err := ast.InterfaceToValue(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func inputCases() map[string]rollout.GateInput {
	full := gateInput()
	full.Update.Urgency = "emergency"
	full.Approvals = []rollout.Approval{{Ring: "broad", By: "ana", At: t0.Add(-time.Hour)}, {Ring: "broad", By: "bo"}}
	full.Observed.Approvals = full.Approvals
	full.Current.Capped = true
	full.Observed.Baseline.Signals = map[string]rollout.Signal{"crash": {Count: 12, Hours: 1e5}}
	full.Observed.Baseline.Strata = map[string]int{"os_build=22631": 5000}
	full.Now = time.Date(2026, 11, 24, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	floats := gateInput()
	floats.Proposed.Percent = 0.1
	floats.Observed.Updated.Signals = map[string]rollout.Signal{"a": {Count: 1e21, Hours: 1e-7}, "b": {Count: -0.5}, "c": {Count: 1 << 53}, "d": {Count: 123456789.125}}
	return map[string]rollout.GateInput{
		"zero":    {},
		"typical": gateInput(),
		"full":    full,
		"floats":  floats,
		"empty approvals": func() rollout.GateInput {
			in := gateInput()
			in.Approvals = []rollout.Approval{}
			in.Observed.Approvals = []rollout.Approval{}
			return in
		}(),
	}
}

// InputValue is exactly the JSON encoding of GateInput.
func TestInputValueIsJSON(t *testing.T) {
	for name, in := range inputCases() {
		t.Run(name, func(t *testing.T) {
			got, err := InputValue(in)
			if err != nil {
				t.Fatal(err)
			}
			want := viaJSON(t, in)
			if ast.Compare(want, got) != 0 {
				t.Errorf("InputValue differs from the JSON encoding:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestInputValueErrors(t *testing.T) {
	for name, f := range map[string]func(*rollout.GateInput){
		"NaN": func(in *rollout.GateInput) { in.Proposed.Percent = math.NaN() },
		"Inf": func(in *rollout.GateInput) {
			in.Observed.Baseline.Signals = map[string]rollout.Signal{"x": {Count: math.Inf(1)}}
		},
		"year 10000": func(in *rollout.GateInput) { in.Now = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"approval at": func(in *rollout.GateInput) {
			in.Approvals = []rollout.Approval{{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}}
		},
	} {
		in := gateInput()
		f(&in)
		_, jerr := json.Marshal(in)
		_, err := InputValue(in)
		if err == nil || jerr == nil {
			t.Errorf("%s: InputValue err = %v, json.Marshal err = %v; want both to fail", name, err, jerr)
		}
	}
}

//go:embed input.schema.json
var inputSchema []byte

// The schema describes every field of the input, and the input follows the
// schema.
func TestInputSchema(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(inputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	covered := map[string]bool{}
	for name, in := range inputCases() {
		if name == "zero" {
			continue // not a real input: no phase
		}
		v := viaJSON(t, in)
		var doc any
		if err := json.Unmarshal([]byte(v.String()), &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range validate(schema, defs, doc, "input", covered) {
			t.Errorf("%s: %s", name, p)
		}
	}
	var all []string
	collectProps(schema, defs, "input", &all, map[string]bool{})
	for _, p := range all {
		if !covered[p] {
			t.Errorf("schema property %s never appears in the test inputs", p)
		}
	}
}

// validate checks doc against a small subset of JSON Schema (type,
// properties, required, additionalProperties, items, oneOf, $ref, enum,
// const), recording which properties it saw.
func validate(s map[string]any, defs map[string]any, doc any, path string, covered map[string]bool) []string {
	if ref, ok := s["$ref"].(string); ok {
		return validate(defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any), defs, doc, path, covered)
	}
	if one, ok := s["oneOf"].([]any); ok {
		var errs []string
		for _, alt := range one {
			e := validate(alt.(map[string]any), defs, doc, path, covered)
			if len(e) == 0 {
				return nil
			}
			errs = append(errs, e...)
		}
		return errs
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, path+": "+fmt.Sprintf(format, args...)) }
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, doc) {
		bad("%v not in %v", doc, enum)
	}
	if c, ok := s["const"]; ok && c != doc {
		bad("%v is not %v", doc, c)
	}
	switch s["type"] {
	case "string":
		if _, ok := doc.(string); !ok {
			bad("not a string: %v", doc)
		}
	case "integer":
		if f, ok := doc.(float64); !ok || f != math.Trunc(f) {
			bad("not an integer: %v", doc)
		}
	case "number":
		if _, ok := doc.(float64); !ok {
			bad("not a number: %v", doc)
		}
	case "null":
		if doc != nil {
			bad("not null: %v", doc)
		}
	case "array":
		arr, ok := doc.([]any)
		if !ok {
			bad("not an array: %v", doc)
			break
		}
		for _, x := range arr {
			problems = append(problems, validate(s["items"].(map[string]any), defs, x, path+"[]", covered)...)
		}
	case "object":
		obj, ok := doc.(map[string]any)
		if !ok {
			bad("not an object: %v", doc)
			break
		}
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			if _, ok := obj[r.(string)]; !ok {
				bad("required %s missing", r)
			}
		}
		for k, x := range obj {
			if p, ok := props[k]; ok {
				covered[path+"."+k] = true
				problems = append(problems, validate(p.(map[string]any), defs, x, path+"."+k, covered)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case map[string]any:
				problems = append(problems, validate(ap, defs, x, path+".*", covered)...)
			default:
				bad("unexpected key %q", k)
			}
		}
	}
	return problems
}

func collectProps(s map[string]any, defs map[string]any, path string, out *[]string, seen map[string]bool) {
	if ref, ok := s["$ref"].(string); ok {
		collectProps(defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any), defs, path, out, seen)
		return
	}
	if one, ok := s["oneOf"].([]any); ok {
		for _, alt := range one {
			collectProps(alt.(map[string]any), defs, path, out, seen)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		collectProps(items, defs, path+"[]", out, seen)
	}
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		collectProps(ap, defs, path+".*", out, seen)
	}
	props, _ := s["properties"].(map[string]any)
	for k, p := range props {
		q := path + "." + k
		if !seen[q] {
			seen[q] = true
			*out = append(*out, q)
		}
		collectProps(p.(map[string]any), defs, q, out, seen)
	}
}
