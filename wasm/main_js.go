//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
)

// main registers globalThis.ringwise and keeps the program alive for its
// callbacks. Every function takes and returns plain JavaScript values and
// never throws: bad input comes back as {error, diagnostics}.
func main() {
	api := js.Global().Get("Object").New()
	api.Set("check", fn("check(files)", func(args []js.Value) (any, error) {
		var files map[string]string
		if err := arg(args, 0, "files", &files); err != nil {
			return nil, err
		}
		return Check(files), nil
	}))
	api.Set("checkScenario", fn("checkScenario(source)", func(args []js.Value) (any, error) {
		var source string
		if err := arg(args, 0, "source", &source); err != nil {
			return nil, err
		}
		return CheckScenario(source), nil
	}))
	api.Set("format", fn("format(name, source)", func(args []js.Value) (any, error) {
		var name, source string
		if err := arg(args, 0, "name", &name); err != nil {
			return nil, err
		}
		if err := arg(args, 1, "source", &source); err != nil {
			return nil, err
		}
		return result(Format(name, source))
	}))
	api.Set("plan", fn("plan(files, options)", func(args []js.Value) (any, error) {
		var files map[string]string
		var opts PlanOptions
		if err := arg(args, 0, "files", &files); err != nil {
			return nil, err
		}
		if err := arg(args, 1, "options", &opts); err != nil {
			return nil, err
		}
		return result(Plan(files, opts))
	}))
	if Simulates { // the page's first module leaves the simulator out (editor_on.go)
		api.Set("simulate", fn("simulate(files, scenario, options, progress)", func(args []js.Value) (any, error) {
			var files map[string]string
			var scenario string
			var opts SimulateOptions
			if err := arg(args, 0, "files", &files); err != nil {
				return nil, err
			}
			if err := arg(args, 1, "scenario", &scenario); err != nil {
				return nil, err
			}
			if err := arg(args, 2, "options", &opts); err != nil {
				return nil, err
			}
			return result(SimulateProgress(files, scenario, opts, progressOf(args, 3)))
		}))
	}
	api.Set("compare", fn("compare(base, head, scenario, options, progress)", func(args []js.Value) (any, error) {
		var base, head map[string]string
		var scenario string
		var opts CompareOptions
		if err := arg(args, 0, "base", &base); err != nil {
			return nil, err
		}
		if err := arg(args, 1, "head", &head); err != nil {
			return nil, err
		}
		if err := arg(args, 2, "scenario", &scenario); err != nil {
			return nil, err
		}
		if err := arg(args, 3, "options", &opts); err != nil {
			return nil, err
		}
		return result(Compare(base, head, scenario, opts, progressOf(args, 4)))
	}))
	// gates: whether this module evaluates Rego gates (the second module).
	api.Set("gates", Gates)
	js.Global().Set("ringwise", api)
	select {}
}

// progressOf returns argument i as a progress(done, total) callback, or
// nil: a worker posts it to the page while the call holds its thread.
func progressOf(args []js.Value, i int) func(done, total int) {
	if i >= len(args) || args[i].Type() != js.TypeFunction {
		return nil
	}
	f := args[i]
	return func(done, total int) { f.Invoke(done, total) }
}

// result picks the value or the failure of an API call.
func result[T any](v *T, f *Failure) (any, error) {
	if f != nil {
		return f, nil
	}
	return v, nil
}

// fn wraps an API function: errors and panics become {error}, and the
// result goes to JavaScript through JSON, so it is plain data.
func fn(name string, f func([]js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				out = toJS(&Failure{Error: fmt.Sprintf("%s: internal error: %v", name, r)})
			}
		}()
		v, err := f(args)
		if err != nil {
			return toJS(&Failure{Error: fmt.Sprintf("%s: %v", name, err)})
		}
		return toJS(v)
	})
}

// arg decodes argument i (missing or undefined: left as is) into v.
func arg(args []js.Value, i int, what string, v any) error {
	if i >= len(args) || args[i].IsUndefined() || args[i].IsNull() {
		return nil
	}
	text := ""
	if args[i].Type() == js.TypeString {
		b, _ := json.Marshal(args[i].String())
		text = string(b)
	} else {
		s := js.Global().Get("JSON").Call("stringify", args[i])
		if s.Type() != js.TypeString {
			return fmt.Errorf("%s is not a plain value", what)
		}
		text = s.String()
	}
	return DecodeArg(what, text, v)
}

// toJS converts v to a JavaScript value through JSON.
func toJS(v any) js.Value {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(&Failure{Error: err.Error()})
	}
	return js.Global().Get("JSON").Call("parse", string(b))
}
