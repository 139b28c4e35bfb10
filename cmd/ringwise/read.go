package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
)

// A source is one policy file that fmt reads and may rewrite: name within
// a directory opened as an os.Root, so that neither a symlink nor ".."
// leads out of that directory, exactly as check and plan load policies
// (policy.LoadPaths).
type source struct {
	root    *os.Root
	name    string // within root
	display string // as the user named it, for messages
}

// errTooLarge refuses stdin over the policy file size limit.
var errTooLarge = fmt.Errorf("larger than %d bytes (the policy file size limit)", policy.DefaultMaxFileSize)

// read returns the file's contents, read with policy.ReadSource as check
// reads policies: confined to the root, a regular file only (a FIFO would
// block, /dev/zero never ends), at most policy.DefaultMaxFileSize bytes,
// checked before reading. A refusal is a diagnostic at FILE:1:1 that shows
// none of the file's bytes.
func (s source) read() ([]byte, hcl.Diagnostics) {
	return policy.ReadSource(s.root.FS(), s.name, s.display, policy.DefaultMaxFileSize)
}

// write replaces the file's contents, through the root, keeping its mode.
func (s source) write(b []byte) error {
	fi, err := s.root.Stat(s.name)
	if err != nil {
		return s.wrap(err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", s.display)
	}
	if err := s.root.WriteFile(s.name, b, fi.Mode().Perm()); err != nil {
		return s.wrap(err)
	}
	return nil
}

// wrap names the file the user gave in an error of the root's file
// system.
func (s source) wrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if err.Error() == "path escapes from parent" {
		return fmt.Errorf("%s: refused: it leads out of its directory (a symlink or ..)", s.display)
	}
	return fmt.Errorf("%s: %w", s.display, err)
}

// policySources expands fmt's PATH arguments: a directory stands for its
// policy files (see policy.IsPolicyFile), a file for itself. Each is read
// through an os.Root of its directory. The returned close function closes
// the roots.
func policySources(paths []string) ([]source, func(), error) {
	var (
		out   []source
		roots []*os.Root
	)
	closeAll := func() {
		for _, r := range roots {
			r.Close()
		}
	}
	open := func(dir string) (*os.Root, error) {
		r, err := os.OpenRoot(dir)
		if err != nil {
			return nil, err
		}
		roots = append(roots, r)
		return r, nil
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		if !fi.IsDir() {
			r, err := open(filepath.Dir(p))
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			out = append(out, source{root: r, name: filepath.Base(p), display: p})
			continue
		}
		r, err := open(p)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		entries, err := fs.ReadDir(r.FS(), ".")
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !policy.IsPolicyFile(e.Name()) {
				continue
			}
			out = append(out, source{root: r, name: e.Name(), display: filepath.Join(p, e.Name())})
			n++
		}
		if n == 0 {
			closeAll()
			return nil, nil, fmt.Errorf("%s: no .hcl or .hcl.json files", p)
		}
	}
	return out, closeAll, nil
}
