package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "PATH...", `
Check validates rollout policies. Each directory PATH is loaded as one
policy (its .hcl and .hcl.json files; tenant blocks apply to every rollout
in it); the files named on the command line are loaded together as one more.

Exit status: 0 when every policy is valid (one OK line per policy on
stdout), 1 when any is not (each problem on stderr as FILE:LINE:COL:
message, followed by the source line), 2 for a usage error.`)
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "ringwise check: no policy paths given\n")
		usageError(fs, stderr)
		return 2
	}
	code := 0
	for _, group := range groupPaths(fs.Args()) {
		p, ok := loadPolicy(group, stderr)
		if !ok {
			code = 1
			continue
		}
		names := make([]string, len(p.Plans))
		for i, pl := range p.Plans {
			names[i] = pl.Name
		}
		fmt.Fprintf(stdout, "%s: ok: %s, %s\n", strings.Join(group, " "),
			count(len(p.Plans), "rollout", names), count(len(p.Tenants), "tenant", nil))
	}
	return code
}

// groupPaths returns the policies to load: each directory alone, and all
// files together (in the place of the first file).
func groupPaths(paths []string) [][]string {
	var groups [][]string
	files := -1
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			groups = append(groups, []string{p})
			continue
		}
		if files < 0 {
			files = len(groups)
			groups = append(groups, nil)
		}
		groups[files] = append(groups[files], p)
	}
	return groups
}

func count(n int, noun string, names []string) string {
	s := fmt.Sprintf("%d %s", n, noun)
	if n != 1 {
		s += "s"
	}
	if len(names) > 0 {
		s += " (" + strings.Join(names, ", ") + ")"
	}
	return s
}
