package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/ringwise/ringwise/policy/rego"
)

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("test", "[-v] [-run REGEX] PATH...", `
Test runs the Rego unit tests of gate policies: every rule named test_* in
the .rego files under each PATH (a file or a directory, searched
recursively), with the .json and .yaml data files found there merged at the
root of data, as a gate sees its own data files. Tests run in the gates'
sandbox (no http.send, net.*, rand.*, ...).

Output is that of "opa test": a line per failing test (every test with -v),
then PASS: n/m and, when some failed, FAIL: k/m.

Each test runs with the limits of one gate evaluation (the steps and
memory budget of the sandbox, and a 5s deadline).

Exit status: 0 when every test passes, 1 when a test fails or errs or the
policies do not compile (each problem on stderr as FILE:LINE:COL: message),
2 for a usage error. Unlike "opa test", finding no test to run (none under
PATH, or none that -run matches) exits 1: in CI, a suite that runs nothing
must not pass.`)
	verbose := fs.Bool("v", false, "print every test, passing or not, and its print() output")
	run := fs.String("run", "", "run only the tests whose name (data.PACKAGE.test_NAME) matches `REGEX`")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "ringwise test: no paths given\n")
		usageError(fs, stderr)
		return 2
	}
	results, err := rego.RunTests(context.Background(), fs.Args(), rego.TestOptions{Run: *run})
	if err != nil {
		if errs := rego.Errors(err); len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintln(stderr, e)
			}
			return 1
		}
		fmt.Fprintf(stderr, "ringwise test: %v\n", err)
		if errors.Is(err, rego.ErrBadRun) {
			return 2
		}
		return 1
	}
	if len(results) == 0 {
		if *run != "" {
			fmt.Fprintf(stderr, "ringwise test: no test in %s matches -run %q\n", strings.Join(fs.Args(), ", "), *run)
		} else {
			fmt.Fprintf(stderr, "ringwise test: no tests found in %s: a test is a rule named test_* in a .rego file\n", strings.Join(fs.Args(), ", "))
		}
		return 1
	}
	ch := make(chan *tester.Result, len(results))
	code := 0
	for _, r := range results {
		if !r.Pass() && !r.Skip {
			code = 1
		}
		ch <- r
	}
	close(ch)
	rep := tester.PrettyReporter{Output: stdout, Verbose: *verbose}
	if err := rep.Report(ch); err != nil {
		fmt.Fprintf(stderr, "ringwise test: %v\n", err)
		return 1
	}
	return code
}
