package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

func init() {
	commands = append(commands, command{"version", "print the version of ringwise and how it was built", runVersion})
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "", `
Version prints the module version of this ringwise binary (v1.2.3 when
installed with "go install github.com/ringwise/ringwise/cmd/ringwise@v1.2.3";
a pseudo-version such as v0.0.0-20261129032503-41a6e22bcbca, with +dirty
when modified, when built in a git checkout), the VCS revision and time it
was built from, "modified" when the checkout had uncommitted changes, and
the Go version and platform. The information comes from the binary itself
(runtime/debug.ReadBuildInfo).`)
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "ringwise version: takes no arguments\n")
		usageError(fs, stderr)
		return 2
	}
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(bi, ok, runtime.GOOS+"/"+runtime.GOARCH))
	return 0
}

// versionText renders build information, for example
//
//	ringwise v0.0.0-20261129030000-3f2c1d0e9a8b+dirty
//	revision 3f2c1d0e9a8b... (2026-11-29T03:00:00Z), modified
//	built with go1.26.0 for linux/amd64
func versionText(bi *debug.BuildInfo, ok bool, platform string) string {
	if !ok || bi == nil {
		return "ringwise (unknown version: built without module information)\n"
	}
	var b strings.Builder
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(&b, "ringwise %s\n", v)
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "revision %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(", modified")
		}
		b.WriteString("\n")
	} else if v == "(devel)" {
		b.WriteString("revision unknown (built without VCS information, e.g. with -buildvcs=false)\n")
	}
	fmt.Fprintf(&b, "built with %s for %s\n", bi.GoVersion, platform)
	return b.String()
}
