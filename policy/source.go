package policy

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/hashicorp/hcl/v2"
)

// ReadSource reads the source file name from fsys for a loader or a
// formatter, and is the only way this module reads a policy or scenario
// file. display is the file's name in diagnostics (the path a person
// gave); limit is the largest size accepted, in bytes (DefaultMaxFileSize
// when limit <= 0).
//
// Before anything is read, ReadSource refuses what is not a regular file
// (a directory, a FIFO, a device such as /dev/zero, a socket) and a file
// whose size is over limit; it then reads at most limit+1 bytes, so a file
// that grows while it is read is refused too. Every refusal is one error
// diagnostic that names display and the reason, never the file's content.
//
// Reading is confined to fsys: with (*os.Root).FS, as Load and LoadPaths
// use, a symbolic link or ".." that leads out of the directory is refused
// ("path escapes from parent"). fsys must implement fs.StatFS for the
// check before opening (os.DirFS, (*os.Root).FS and fstest.MapFS do); with
// one that does not, the opened file is checked before it is read.
func ReadSource(fsys fs.FS, name, display string, limit int64) ([]byte, hcl.Diagnostics) {
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	whole := &hcl.Range{Filename: display, Start: hcl.InitialPos, End: hcl.InitialPos}
	refuse := func(summary, format string, args ...any) ([]byte, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  summary,
			Detail:   fmt.Sprintf(format, args...),
			Subject:  whole,
		}}
	}
	check := func(fi fs.FileInfo) ([]byte, hcl.Diagnostics) {
		switch m := fi.Mode(); {
		case m.IsDir():
			return refuse("Not a file", "%s is a directory; name a policy or scenario file.", display)
		case !m.IsRegular():
			return refuse("Not a regular file", "%s is %s, not a regular file; only regular files are read.", display, describeMode(m))
		case fi.Size() > limit:
			return refuse("File too large", "%s is %d bytes; at most %d bytes are read (see policy.WithMaxFileSize).", display, fi.Size(), limit)
		}
		return nil, nil
	}
	// A FIFO blocks at open until a writer comes: check before opening.
	if sfs, ok := fsys.(fs.StatFS); ok {
		fi, err := sfs.Stat(name)
		if err != nil {
			return refuse("Cannot read file", "%s: %s.", display, readErr(err))
		}
		if _, d := check(fi); d != nil {
			return nil, d
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return refuse("Cannot read file", "%s: %s.", display, readErr(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return refuse("Cannot read file", "%s: %s.", display, readErr(err))
	}
	if _, d := check(fi); d != nil {
		return nil, d
	}
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return refuse("Cannot read file", "%s: %s.", display, readErr(err))
	}
	if int64(len(src)) > limit {
		return refuse("File too large", "%s is larger than %d bytes, the most that is read (see policy.WithMaxFileSize).", display, limit)
	}
	return src, nil
}

// describeMode names the kind of a file that is not regular.
func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

// readErr says why a file could not be read, without the operation and
// path that *fs.PathError repeats.
func readErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrInvalid):
		return "not a valid path within the directory it is read from"
	case err.Error() == "path escapes from parent":
		return "the path leads outside the directory it is read from (through \"..\", an absolute path or a symbolic link), which is refused"
	}
	return err.Error()
}
