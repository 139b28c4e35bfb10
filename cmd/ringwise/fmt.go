package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
)

func runFmt(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fmt", "[-check] [-w] PATH...", `
Fmt formats policy files canonically (aligned equals signs, two-space
indents; HCL's JSON form is re-indented). A directory PATH stands for its
.hcl and .hcl.json files.

Without flags the formatted source is printed to stdout. With -w files are
rewritten in place. With -check the files that would change are listed and
the exit status is 1 when any would. A file that does not parse is
reported on stderr and makes the exit status 1.`)
	check := fs.Bool("check", false, "list files whose formatting differs; exit 1 if any")
	write := fs.Bool("w", false, "write the result to the file instead of stdout")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "ringwise fmt: no policy paths given\n")
		usageError(fs, stderr)
		return 2
	}
	files, err := expandPaths(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "ringwise fmt: %v\n", err)
		return 1
	}
	code := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "ringwise fmt: %v\n", err)
			code = 1
			continue
		}
		out, diags := policy.Format(src, name)
		if diags.HasErrors() {
			policy.WriteDiagnostics(stderr, map[string]*hcl.File{name: {Bytes: src}}, diags)
			code = 1
			continue
		}
		changed := !bytes.Equal(src, out)
		if *check && changed {
			fmt.Fprintln(stdout, name)
			code = 1
		}
		if *write && changed {
			mode := os.FileMode(0o644)
			if fi, err := os.Stat(name); err == nil {
				mode = fi.Mode().Perm()
			}
			if err := os.WriteFile(name, out, mode); err != nil {
				fmt.Fprintf(stderr, "ringwise fmt: %v\n", err)
				code = 1
			}
		}
		if !*check && !*write {
			stdout.Write(out)
		}
	}
	return code
}

// expandPaths replaces each directory by its policy files.
func expandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range entries {
			if !e.IsDir() && policy.IsPolicyFile(e.Name()) {
				out = append(out, filepath.Join(p, e.Name()))
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no .hcl or .hcl.json files", p)
		}
	}
	return out, nil
}
