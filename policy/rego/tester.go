package rego

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/ringwise/ringwise/rollout"
)

// TestOptions configure RunTests.
type TestOptions struct {
	// Run, when not empty, is a regular expression: only tests whose
	// package-qualified name (e.g. data.ringwise.gates.freeze_test.test_x)
	// matches it run.
	Run string
	// Timeout bounds each test (5s when zero).
	Timeout time.Duration
}

// ErrBadRun is returned (wrapped) by RunTests for a TestOptions.Run that is
// not a valid regular expression.
var ErrBadRun = errors.New("rego: bad test filter")

// RunTests runs the Rego unit tests (rules named test_*) of the modules
// under paths: each path is a .rego file, a data file, or a directory
// searched recursively for .rego, .json (not .hcl.json), .yaml and .yml
// files. Data files are merged at the root of data, as a gate's are, so
// tests see the same documents as the gates. Tests run with the gates'
// Capabilities: a test that calls http.send fails to compile, as the gate
// would.
//
// Results are sorted by file and line. The error joins one *Error per
// problem that kept the tests from running (a syntax error, an invalid
// data file, a compile error), or reports a bad Run expression.
func RunTests(ctx context.Context, paths []string, opts TestOptions) ([]*tester.Result, error) {
	if _, err := regexp.Compile(opts.Run); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRun, err)
	}
	files, err := collect(paths)
	if err != nil {
		return nil, err
	}
	var errs []error
	modules := map[string]*ast.Module{}
	data := map[string]any{}
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".rego") {
			m, err := ast.ParseModuleWithOpts(f.Name, string(f.Src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
			switch {
			case err != nil:
				c := compiler{}
				c.astErrors(err, rollout.Source{File: f.Name, Line: 1, Column: 1})
				errs = append(errs, c.errs...)
			case m == nil:
				errs = append(errs, &Error{Src: rollout.Source{File: f.Name, Line: 1, Column: 1}, Code: "rego_parse_error", Msg: "empty module: a module needs a package declaration"})
			default:
				for _, e := range checkModule(m) {
					errs = append(errs, e)
				}
				modules[f.Name] = m
			}
			continue
		}
		d, e := parseData(f)
		if e != nil {
			errs = append(errs, e)
			continue
		}
		if err := mergeData(data, d, nil); err != nil {
			errs = append(errs, &Error{Src: rollout.Source{File: f.Name, Line: 1, Column: 1}, Code: "ringwise_data_error", Msg: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	comp := sandboxCompiler().WithPathConflictsCheck(func(path []string) (bool, error) {
		c := compiler{data: data}
		return c.dataConflict(path)
	})
	renameDuplicateTests(modules)
	if err := compileBounded(comp, modules); err != nil {
		return nil, &Error{Src: rollout.Source{File: files[0].Name, Line: 1, Column: 1}, Code: "ringwise_sandbox_error", Msg: err.Error()}
	}
	if comp.Failed() {
		c := compiler{spec: Spec{Modules: files}}
		c.astErrors(comp.Errors, rollout.Source{File: files[0].Name, Line: 1, Column: 1})
		return nil, errors.Join(c.errs...)
	}
	filter := regexp.MustCompile(opts.Run)
	store := inmem.NewFromObjectWithOpts(data, inmem.OptReturnASTValuesOnRead(true))
	timeout := cmp.Or(opts.Timeout, 5*time.Second)
	var results []*tester.Result
	for _, name := range slices.Sorted(maps.Keys(comp.Modules)) {
		m := comp.Modules[name]
		for _, r := range m.Rules {
			test, ref := testName(r.Head)
			if test == "" {
				continue
			}
			path := m.Package.Path.Extend(ref)
			if !filter.MatchString(path.String()) {
				continue
			}
			res := &tester.Result{Location: r.Location, Package: m.Package.Path.String(), Name: ref.String(), SubResults: tester.SubResultMap{}}
			if strings.HasPrefix(test, tester.SkipTestPrefix) {
				res.Skip = true
				results = append(results, res)
				continue
			}
			if err := runTest(ctx, comp, store, path, timeout, res); err != nil {
				return nil, err
			}
			results = append(results, res)
		}
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		var la, lb ast.Location
		if a.Location != nil {
			la = *a.Location
		}
		if b.Location != nil {
			lb = *b.Location
		}
		return cmp.Or(cmp.Compare(la.File, lb.File), cmp.Compare(la.Row, lb.Row), cmp.Compare(a.Package+"."+a.Name, b.Package+"."+b.Name))
	})
	return results, nil
}

// sandboxError shows an error of a test without the names of the
// sandbox's wrappers.
type sandboxError struct{ err error }

func (e sandboxError) Error() string { return strings.ReplaceAll(e.err.Error(), wrapPrefix, "") }
func (e sandboxError) Unwrap() error { return e.err }

// runTest runs one test into res, in the gates' sandbox: the same
// builtins and budget (steps, bytes), a deadline, print output captured.
// It fails only when the test is stuck past its deadline (see run).
func runTest(ctx context.Context, comp *ast.Compiler, store storage.Store, path ast.Ref, timeout time.Duration, res *tester.Result) error {
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	b := newBudget()
	pq, err := oparego.New(append(sandboxOptions(),
		oparego.Compiler(comp),
		oparego.Store(store),
		oparego.StoreReadAST(true),
		oparego.Query(path.String()),
		oparego.StrictBuiltinErrors(true),
		oparego.EnablePrintStatements(true),
	)...).PrepareForEval(ctx)
	if err != nil {
		res.Error = sandboxError{err}
		return nil
	}
	log := &printLog{}
	var stuck atomic.Int32
	rs, err := run(ctx, timeout, b, &stuck, func(ctx context.Context) (oparego.ResultSet, error) {
		return pq.Eval(ctx,
			evalSeed,
			oparego.EvalPrintHook(log),
			oparego.EvalExternalCancel(b),
		)
	})
	for _, l := range log.lines {
		res.Output = append(res.Output, l+"\n"...)
	}
	switch {
	case errors.Is(err, errAbandoned):
		return fmt.Errorf("rego: %s: ran past its %s timeout and did not stop within %s (stuck in one operation)", path, timeout, overrunGrace)
	case err != nil:
		res.Error = sandboxError{limitMessage(ctx, b, timeout, err)}
	case len(rs) == 0 || len(rs[0].Expressions) == 0:
		res.Fail = true
	default:
		res.Fail = !allTrue(rs[0].Expressions[0].Value)
	}
	return nil
}

// allTrue reports whether a test's value is true, or an object (a test
// with a ref head) whose values are all true.
func allTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case map[string]any:
		for _, x := range v {
			if !allTrue(x) {
				return false
			}
		}
		return true
	}
	return false
}

// testName returns the name of the test a rule defines (test_x or
// todo_test_x, "" for other rules) and the rule's reference up to it.
func testName(h *ast.Head) (string, ast.Ref) {
	ref := h.Ref().GroundPrefix()
	for i, t := range ref {
		var n string
		switch v := t.Value.(type) {
		case ast.Var:
			n = string(v)
		case ast.String:
			n = string(v)
		}
		if strings.HasPrefix(n, tester.TestPrefix) || strings.HasPrefix(n, tester.SkipTestPrefix) {
			return n, ref[:i+1]
		}
	}
	return "", nil
}

// renameDuplicateTests gives the second and later test rules of the same
// name in a package names of their own (test_x#01, ...), as opa test does,
// so that each runs as a test.
func renameDuplicateTests(modules map[string]*ast.Module) {
	seen := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		for _, r := range m.Rules {
			test, ref := testName(r.Head)
			if test == "" || len(ref) != 1 || len(r.Head.Ref()) != 1 {
				continue
			}
			key := m.Package.Path.Extend(ref).String()
			if n, dup := seen[key]; dup {
				nn := fmt.Sprintf("%s#%02d", test, n)
				r.Head.Name = ast.Var(nn)
				r.Head.Reference = ast.Ref{ast.VarTerm(nn)}
			}
			seen[key]++
		}
	}
}

// collect reads the files RunTests loads, in path order (directories in
// lexical order).
func collect(paths []string) ([]File, error) {
	var files []File
	seen := map[string]bool{}
	add := func(name string) error {
		if seen[filepath.Clean(name)] {
			return nil
		}
		seen[filepath.Clean(name)] = true
		src, err := readLimited(os.DirFS(filepath.Dir(name)), filepath.Base(name))
		if err != nil {
			return fmt.Errorf("rego: %s: %w", name, err)
		}
		files = append(files, File{Name: name, Src: src})
		return nil
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("rego: %w", err)
		}
		if !fi.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if name != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if testFile(d.Name()) {
				return add(name)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("rego: %w", err)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("rego: no .rego files in %s", strings.Join(paths, " "))
	}
	return files, nil
}

// testFile reports whether RunTests loads a file of this name found in a
// directory.
func testFile(name string) bool {
	switch {
	case strings.HasSuffix(name, ".hcl.json"):
		return false
	case strings.HasSuffix(name, ".rego"), strings.HasSuffix(name, ".json"), isYAML(name):
		return true
	}
	return false
}
