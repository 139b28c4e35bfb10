package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	_ "time/tzdata" // maintenance windows name IANA zones; do not depend on the host's zoneinfo
)

// command is one subcommand. run gets the arguments after the command's
// name and returns the exit status: 0 success, 1 failure (e.g. an invalid
// policy), 2 usage error.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is the dispatch table. A new subcommand lives in its own file
// and adds one line here, or registers itself from that file with
//
//	func init() { commands = append(commands, command{"test", "...", runTest}) }
var commands = []command{
	{"check", "validate policy files and directories", runCheck},
	{"fmt", "rewrite policy files in canonical format", runFmt},
	{"plan", "print the nominal schedule of a rollout", runPlan},
	{"test", "run the Rego unit tests of gate policies", runTest},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args (without the program name) and returns
// the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				return c.run([]string{"-h"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "ringwise: unknown command %q\n", args[1])
			usage(stderr)
			return 2
		}
		usage(stdout)
		return 0
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "ringwise: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func lookup(name string) (command, bool) {
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, false
	}
	return commands[i], true
}

func usage(w io.Writer) {
	cs := slices.Clone(commands)
	slices.SortFunc(cs, func(a, b command) int { return strings.Compare(a.name, b.name) })
	fmt.Fprintf(w, "ringwise decides how software updates roll out to a fleet.\n\nUsage:\n\n\tringwise COMMAND [flags] [args]\n\nCommands:\n\n")
	for _, c := range cs {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun \"ringwise COMMAND -h\" for a command's flags.\n")
}

// newFlags returns a flag set for a subcommand whose usage text is
// synopsis (the line after "Usage:") and description.
func newFlags(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("ringwise "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: ringwise %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs, accepting flags before, between and
// after positional arguments ("plan DIR -rollout x" means what "plan
// -rollout x DIR" does); after "--" every argument is positional, and "-"
// alone is one. fs.Args() then holds the positional arguments in order.
// For -h it prints the usage to stdout and returns 0; for a bad flag it
// prints the error and usage to stderr and returns 2; otherwise it returns
// -1 and the caller continues.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
			usageError(fs, stderr)
			return 2
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Leave the positional arguments in fs.Args(); the flags keep the
	// values parsed above.
	_ = fs.Parse(append([]string{"--"}, positional...)) // cannot fail: after "--" nothing is a flag
	return -1
}

// usageError prints fs's usage to stderr, for a usage error reported by the
// caller.
func usageError(fs *flag.FlagSet, stderr io.Writer) {
	fs.SetOutput(stderr)
	fs.Usage()
}
