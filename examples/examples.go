// Package examples holds the policies and replayed incidents that ringwise's
// documentation uses (see README.md in each directory), and embeds the
// policy ringwise recommends so that programs installed without the
// repository can compare against it.
package examples

import (
	"embed"
	"io/fs"
)

// RecommendedPath is where the recommended policy is in the repository.
const RecommendedPath = "examples/policies/recommended.hcl"

//go:embed policies/recommended.hcl
var recommended embed.FS

// Recommended returns a file system holding only the recommended policy,
// recommended.hcl, for policy.Load.
func Recommended() fs.FS {
	sub, err := fs.Sub(recommended, "policies")
	if err != nil {
		panic(err) // unreachable: the directory is embedded above
	}
	return sub
}
