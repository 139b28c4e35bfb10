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
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
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
	store := inmem.NewFromObject(data)
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	comp := sandboxCompiler().WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn))
	var custom []*tester.Builtin
	bs := sandboxBuiltins()
	for _, name := range slices.Sorted(maps.Keys(bs)) {
		custom = append(custom, &tester.Builtin{Decl: bs[name].decl, Func: bs[name].opt})
	}
	timeout := cmp.Or(opts.Timeout, 5*time.Second)
	runner := tester.NewRunner().
		SetCompiler(comp).
		SetStore(store).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		AddCustomBuiltins(custom).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		Filter(opts.Run).
		SetParallel(1).
		SetTimeout(timeout)
	// Each test gets a budget of its own (OPA's tester gives each its own
	// context).
	ctx, cancel := context.WithCancel(context.WithValue(ctx, budgetKey{}, &perContext{m: map[context.Context]*budget{}}))
	defer cancel()
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		c := compiler{spec: Spec{Modules: files}}
		c.astErrors(err, rollout.Source{File: files[0].Name, Line: 1, Column: 1})
		return nil, errors.Join(c.errs...)
	}
	var results []*tester.Result
	// Tests run one at a time, each within timeout: a test that has not
	// ended overrunGrace after that is stuck in one operation that does not
	// check for cancellation, and is abandoned with the rest of the run.
	watchdog := time.NewTimer(timeout + overrunGrace)
	defer watchdog.Stop()
collect:
	for {
		select {
		case r, ok := <-ch:
			if !ok {
				break collect
			}
			if r.Error != nil {
				r.Error = sandboxError{r.Error}
			}
			results = append(results, r)
			watchdog.Reset(timeout + overrunGrace)
		case <-watchdog.C:
			return nil, fmt.Errorf("rego: a test ran past its %s timeout and did not stop within %s (it is stuck in one operation); %d tests had finished", timeout, overrunGrace, len(results))
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
