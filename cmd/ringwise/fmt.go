package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
)

// stdin is what "ringwise fmt -" reads; tests replace it.
var stdin io.Reader = os.Stdin

const fmtHelp = `
Fmt formats policy files canonically (aligned equals signs, two-space
indents; HCL's JSON form is re-indented). A directory PATH stands for its
.hcl and .hcl.json files; "-" reads native HCL from stdin.

Without flags the formatted source is printed to stdout. With -w files are
rewritten in place and the name of each file changed is printed. With
-check the files that would change are listed and the exit status is 1
when any would. With -diff a unified diff of each change is printed.

Files are read as check reads them: confined to their directory (a symlink
or .. that leads out of it is refused), regular files only (not a FIFO or a
device), at most 1 MiB. A file that cannot be read or does not parse is
reported on stderr and makes the exit status 1.`

func runFmt(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fmt", "[-check] [-diff] [-w] PATH...", fmtHelp)
	check := fs.Bool("check", false, "list files whose formatting differs; exit 1 if any")
	write := fs.Bool("w", false, "write the result to the file instead of stdout, and list the files changed")
	diff := fs.Bool("diff", false, "print a unified diff of each change instead of the formatted source")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "ringwise fmt: no policy paths given\n")
		usageError(fs, stderr)
		return 2
	}
	var paths []string
	fromStdin := false
	for _, p := range fs.Args() {
		if p == "-" {
			if fromStdin {
				fmt.Fprintf(stderr, "ringwise fmt: - (stdin) given twice\n")
				return 2
			}
			fromStdin = true
			continue
		}
		paths = append(paths, p)
	}
	if fromStdin && *write {
		fmt.Fprintf(stderr, "ringwise fmt: cannot write stdin back with -w\n")
		usageError(fs, stderr)
		return 2
	}
	code := 0
	show := func(name string, src []byte) {
		out, diags := policy.Format(src, name)
		if diags.HasErrors() {
			policy.WriteDiagnostics(stderr, map[string]*hcl.File{name: {Bytes: src}}, diags)
			code = 1
			return
		}
		changed := !bytes.Equal(src, out)
		if *check && changed {
			fmt.Fprintln(stdout, name)
			code = 1
		}
		if *diff {
			writeDiff(stdout, name, src, out)
		}
		if !*check && !*write && !*diff {
			stdout.Write(out)
		}
	}
	if fromStdin {
		src, err := io.ReadAll(io.LimitReader(stdin, policy.DefaultMaxFileSize+1))
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "ringwise fmt: stdin: %v\n", err)
			code = 1
		case len(src) > policy.DefaultMaxFileSize:
			fmt.Fprintf(stderr, "ringwise fmt: stdin: %v\n", errTooLarge)
			code = 1
		default:
			show("<stdin>", src)
		}
	}
	if len(paths) == 0 {
		return code
	}
	files, closeRoots, err := policySources(paths)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise fmt: %v\n", err)
		return 1
	}
	defer closeRoots()
	for _, f := range files {
		src, diags := f.read()
		if diags.HasErrors() {
			policy.WriteDiagnostics(stderr, nil, diags)
			code = 1
			continue
		}
		if !*write {
			show(f.display, src)
			continue
		}
		out, diags := policy.Format(src, f.display)
		if diags.HasErrors() {
			policy.WriteDiagnostics(stderr, map[string]*hcl.File{f.display: {Bytes: src}}, diags)
			code = 1
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		if *check {
			code = 1
		}
		if *diff {
			writeDiff(stdout, f.display, src, out)
		}
		if err := f.write(out); err != nil {
			fmt.Fprintf(stderr, "ringwise fmt: %v\n", err)
			code = 1
			continue
		}
		if !*diff {
			fmt.Fprintln(stdout, f.display)
		}
	}
	return code
}
