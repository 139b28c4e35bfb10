package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

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

// errNotRegular and errTooLarge are refusals that come before any byte is
// read.
var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = fmt.Errorf("larger than %d bytes (the policy file size limit)", policy.DefaultMaxFileSize)
)

// read returns the file's contents. It refuses, before reading, a file
// that is not a regular file (a FIFO would block, /dev/zero never ends) or
// that is larger than policy.DefaultMaxFileSize, and it never reads more
// than that limit whatever the file claims.
func (s source) read() ([]byte, error) {
	fi, err := s.root.Stat(s.name) // follows symlinks, but only inside the root
	if err != nil {
		return nil, s.wrap(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", s.display, errNotRegular, modeName(fi.Mode()))
	}
	if fi.Size() > policy.DefaultMaxFileSize {
		return nil, fmt.Errorf("%s: %w: %d bytes", s.display, errTooLarge, fi.Size())
	}
	f, err := s.root.Open(s.name)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer f.Close()
	// The file may have changed between Stat and Open: check what was
	// opened, and bound the read in any case.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", s.display, errNotRegular)
	}
	src, err := io.ReadAll(io.LimitReader(f, policy.DefaultMaxFileSize+1))
	if err != nil {
		return nil, s.wrap(err)
	}
	if len(src) > policy.DefaultMaxFileSize {
		return nil, fmt.Errorf("%s: %w", s.display, errTooLarge)
	}
	return src, nil
}

// write replaces the file's contents, through the root, keeping its mode.
func (s source) write(b []byte) error {
	fi, err := s.root.Stat(s.name)
	if err != nil {
		return s.wrap(err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", s.display, errNotRegular)
	}
	if err := s.root.WriteFile(s.name, b, fi.Mode().Perm()); err != nil {
		return s.wrap(err)
	}
	return nil
}

// wrap rewords an error of the root's file system: the path the user
// gave, and what "escapes" means.
func (s source) wrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if _, lerr := s.root.Lstat(s.name); lerr == nil && err.Error() == "path escapes from parent" {
		return fmt.Errorf("%s: refused: it leads out of %s (a symlink or ..); name the file in its own directory", s.display, dirOf(s.display))
	}
	return fmt.Errorf("%s: %w", s.display, err)
}

func dirOf(display string) string {
	d := filepath.Dir(display)
	if d == "." {
		return "the current directory"
	}
	return d
}

func modeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
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
