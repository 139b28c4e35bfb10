package policy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/ringwise/ringwise/internal/hclattr"
)

// IsPolicyFile reports whether a file of this name in a policy directory is
// loaded: names ending in .hcl (native syntax) or .hcl.json (HCL's JSON
// form). Other files, such as Rego modules and their JSON data, are left to
// the blocks that name them.
func IsPolicyFile(name string) bool {
	return strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".hcl.json")
}

// isJSON reports whether a policy file uses HCL's JSON syntax.
func isJSON(name string) bool { return strings.HasSuffix(name, ".json") }

// Load reads every policy file (see IsPolicyFile) at the top of fsys, in
// name order, decodes the rollout and tenant blocks, and compiles one plan
// per rollout block. Reading is confined to fsys: use os.DirFS(dir) (or,
// better, (*os.Root).FS, which also refuses symlinks out of dir) for a
// directory, or an fstest.MapFS in memory. File names in diagnostics and in
// every rollout.Source are the names within fsys.
//
// Load never panics; every problem is an error diagnostic with a source
// range, and all problems found are reported, not only the first. The
// Policy is never nil (see Policy for what it holds after errors).
func Load(fsys fs.FS, opts ...Option) (*Policy, hcl.Diagnostics) {
	o := buildOptions(opts)
	l := newLoader(o)
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read policy directory",
			Detail:   err.Error(),
		})
		return l.policy(), l.diags
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !IsPolicyFile(e.Name()) {
			continue
		}
		n++
		src, d := ReadSource(fsys, e.Name(), e.Name(), o.maxSize)
		l.diags = append(l.diags, d...)
		if src != nil {
			l.parse(e.Name(), src, fsys)
		}
	}
	if n == 0 {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No policy files",
			Detail:   "The policy directory holds no .hcl or .hcl.json files, so it defines no rollout.",
		})
		return l.policy(), l.diags
	}
	l.finish()
	return l.policy(), l.diags
}

// LoadPaths loads the named files and directories as one policy, for
// programs that take paths from a command line. A directory contributes its
// policy files (see IsPolicyFile); a file named explicitly is loaded
// whatever its name, as HCL's JSON form when it ends in .json and as native
// syntax otherwise. File names in diagnostics are the given paths (joined
// with the file name for a directory). Gates of a file read from the file's
// own directory.
func LoadPaths(paths []string, opts ...Option) (*Policy, hcl.Diagnostics) {
	o := buildOptions(opts)
	l := newLoader(o)
	bad := func(summary, detail string) {
		l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail})
	}
	if len(paths) == 0 {
		bad("No policy files", "No policy files or directories were given.")
		return l.policy(), l.diags
	}
	seen := map[string]bool{}
	var roots []*os.Root // open until the gates are compiled
	defer func() {
		for _, r := range roots {
			r.Close()
		}
	}()
	load := func(name, dir, base string) {
		if seen[filepath.Clean(name)] {
			return
		}
		seen[filepath.Clean(name)] = true
		// An os.Root, unlike os.DirFS, refuses symlinks and ".." that
		// lead out of the policy's directory.
		root, err := os.OpenRoot(dir)
		if err != nil {
			bad("Cannot read policy", err.Error())
			return
		}
		roots = append(roots, root)
		fsys := root.FS()
		src, d := ReadSource(fsys, base, name, o.maxSize)
		l.diags = append(l.diags, d...)
		if src != nil {
			l.parse(name, src, fsys)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			bad("Cannot read policy", err.Error())
			continue
		}
		if !fi.IsDir() {
			load(p, filepath.Dir(p), filepath.Base(p))
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			bad("Cannot read policy directory", err.Error())
			continue
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !IsPolicyFile(e.Name()) {
				continue
			}
			n++
			load(filepath.Join(p, e.Name()), p, e.Name())
		}
		if n == 0 {
			bad("No policy files", fmt.Sprintf("The directory %s holds no .hcl or .hcl.json files, so it defines no rollout.", p))
		}
	}
	l.finish()
	return l.policy(), l.diags
}

// parse parses one file and records it; fsys is the directory gates of
// this file read from.
func (l *loader) parse(name string, src []byte, fsys fs.FS) {
	if !utf8.Valid(src) {
		l.files[name] = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
		pos := invalidUTF8Pos(src)
		end := pos
		end.Byte++
		end.Column++
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid UTF-8",
			Detail:   fmt.Sprintf("%s is not valid UTF-8 (byte 0x%02x at offset %d); policy files must be UTF-8 encoded.", name, src[pos.Byte], pos.Byte),
			Subject:  &hcl.Range{Filename: name, Start: pos, End: end},
		})
		return
	}
	var (
		f *hcl.File
		d hcl.Diagnostics
	)
	if d := CheckNesting(src, name, isJSON(name)); d.HasErrors() {
		l.files[name] = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
		l.diags = append(l.diags, d...)
		return
	}
	p := hclparse.NewParser()
	if isJSON(name) {
		f, d = p.ParseJSON(src, name)
		if !d.HasErrors() {
			d = append(d, hclattr.CheckJSONLiterals(src, name)...)
		}
	} else {
		f, d = p.ParseHCL(src, name)
		if !d.HasErrors() && f != nil {
			// Before anything is evaluated: a for-expression over a
			// long list costs nothing here.
			d = append(d, hclattr.CheckLiterals(f.Body)...)
		}
	}
	l.diags = append(l.diags, d...)
	if f == nil {
		f = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
	}
	if f.Body == nil {
		f.Body = hcl.EmptyBody()
	}
	l.files[name] = f
	l.order = append(l.order, parsedFile{name: name, file: f, fsys: fsys, ok: !d.HasErrors()})
}

// invalidUTF8Pos returns the position of the first byte of src that is not
// valid UTF-8.
func invalidUTF8Pos(src []byte) hcl.Pos {
	pos := hcl.InitialPos
	for len(src) > 0 {
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size <= 1 {
			return pos
		}
		pos.Byte += size
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
		}
		src = src[size:]
	}
	return pos
}
