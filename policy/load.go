package policy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
// with the file name for a directory). Each file is read through an
// os.Root of its directory, so a symbolic link that leads out of it is
// refused, and gates of a file read from the file's own directory.
func LoadPaths(paths []string, opts ...Option) (*Policy, hcl.Diagnostics) {
	l := newLoader(buildOptions(opts))
	if len(paths) == 0 {
		l.bad("No policy files", "No policy files or directories were given.")
		return l.policy(), l.diags
	}
	defer l.closeRoots()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			l.bad("Cannot read policy", fmt.Sprintf("%s: %s.", p, readErr(err)))
			continue
		}
		dir, base := p, "."
		if !fi.IsDir() {
			dir, base = filepath.Dir(p), filepath.Base(p)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			l.bad("Cannot read policy", fmt.Sprintf("%s: %s.", dir, readErr(err)))
			continue
		}
		l.roots = append(l.roots, root)
		if fi.IsDir() {
			l.loadDir(root, p)
		} else {
			l.loadFile(root, base, p)
		}
	}
	l.finish()
	return l.policy(), l.diags
}

// LoadIn loads the named files and directories of root as one policy, like
// LoadPaths, for names that come from a file rather than from the person
// running the program (a scenario's policy attribute): each name is a
// relative path ("/" or the OS separator) that must resolve inside root.
// An absolute path, or a ".." or symbolic link that leads out of root, is
// refused with an error that says so and reads nothing, and so is a file
// that is not a policy file (see IsPolicyFile). File names in
// diagnostics are the names joined to root.Name(). root must stay open
// until LoadIn returns; gates read from their file's directory within root.
func LoadIn(root *os.Root, names []string, opts ...Option) (*Policy, hcl.Diagnostics) {
	l := newLoader(buildOptions(opts))
	if len(names) == 0 {
		l.bad("No policy files", "No policy files or directories were given.")
		return l.policy(), l.diags
	}
	defer l.closeRoots()
	for _, name := range names {
		name = filepath.FromSlash(name)
		display := filepath.Join(root.Name(), name)
		if filepath.IsAbs(name) || filepath.VolumeName(name) != "" || strings.HasPrefix(name, string(filepath.Separator)) {
			l.bad("Cannot read policy", fmt.Sprintf("%s is an absolute path; policy paths are relative to %s and stay inside it.", name, root.Name()))
			continue
		}
		name = filepath.Clean(name)
		fi, err := root.Stat(name)
		if err != nil {
			l.bad("Cannot read policy", fmt.Sprintf("%s: %s.", display, readErr(err)))
			continue
		}
		dir, base := name, "."
		if !fi.IsDir() {
			dir, base = filepath.Dir(name), filepath.Base(name)
			// Named by a file, not a person: never read (and echo in a
			// diagnostic) a file that is not a policy file.
			if !IsPolicyFile(base) {
				l.bad("Cannot read policy", fmt.Sprintf("%s is not a policy file: name a .hcl or .hcl.json file, or a directory.", display))
				continue
			}
		}
		sub, err := root.OpenRoot(dir)
		if err != nil {
			l.bad("Cannot read policy", fmt.Sprintf("%s: %s.", display, readErr(err)))
			continue
		}
		l.roots = append(l.roots, sub)
		if fi.IsDir() {
			l.loadDir(sub, display)
		} else {
			l.loadFile(sub, base, display)
		}
	}
	l.finish()
	return l.policy(), l.diags
}

// bad records an error without a source range.
func (l *loader) bad(summary, detail string) {
	l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail})
}

// closeRoots closes the directories opened for loading, once the gates
// are compiled.
func (l *loader) closeRoots() {
	for _, r := range l.roots {
		r.Close()
	}
}

// loadFile reads and parses base in the directory root; display is its
// name in diagnostics. An os.Root, unlike os.DirFS, refuses symbolic links
// and ".." that lead out of the directory.
func (l *loader) loadFile(root *os.Root, base, display string) {
	key := filepath.Clean(display)
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	fsys := root.FS()
	src, d := ReadSource(fsys, base, display, l.opts.maxSize)
	l.diags = append(l.diags, d...)
	if src != nil {
		l.parse(display, src, fsys)
	}
}

// loadDir loads the policy files at the top of root; display is its name.
func (l *loader) loadDir(root *os.Root, display string) {
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		l.bad("Cannot read policy directory", fmt.Sprintf("%s: %s.", display, readErr(err)))
		return
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !IsPolicyFile(e.Name()) {
			continue
		}
		n++
		l.loadFile(root, e.Name(), filepath.Join(display, e.Name()))
	}
	if n == 0 {
		l.bad("No policy files", fmt.Sprintf("The directory %s holds no .hcl or .hcl.json files, so it defines no rollout.", display))
	}
}

// parse parses one file and records it; fsys is the directory gates of
// this file read from.
func (l *loader) parse(name string, src []byte, fsys fs.FS) {
	if d := hclattr.CheckUTF8(src, name); d.HasErrors() {
		l.files[name] = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
		l.diags = append(l.diags, d...)
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
		d = pointUnclosed(src, name, d)
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
