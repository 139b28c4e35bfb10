package rego

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

// MaxFileSize is the largest Rego module or data file a Loader reads.
const MaxFileSize = 1 << 20

// Loader compiles the gate blocks of a policy (see policy.WithGateLoader)
// into Gates. Identical gates (same files, query and timeout) used by
// several rollouts are compiled once.
//
// File names in diagnostics and in rollout.Source values are the gate's
// paths joined to the directory of the policy file that declares the gate,
// the way that file itself is named: "gates/freeze.rego" for policy.Load,
// "examples/policies/gates/freeze.rego" for policy.LoadPaths of
// "examples/policies". Files returns their contents, to render diagnostics
// together with policy.Policy.Files.
//
// The zero Loader is not usable; create one with NewLoader. A Loader is
// safe for concurrent use.
type Loader struct {
	cfg   config
	mu    sync.Mutex
	files map[string]*hcl.File
	gates map[string]*Gate // by digest and timeout
}

var _ policy.GateLoader = (*Loader)(nil)

// NewLoader returns a Loader. An invalid option (e.g. WithTimeout(-1)) does
// not fail here: every LoadGate reports it as an error diagnostic.
func NewLoader(opts ...Option) *Loader {
	return &Loader{cfg: buildConfig(opts), files: map[string]*hcl.File{}, gates: map[string]*Gate{}}
}

// Files returns the Rego and data files the Loader has read, by the names
// its diagnostics use, as hcl.Files whose Bytes hold the source (Body is
// empty). Merge them into policy.Policy.Files to render snippets of Rego
// diagnostics. The map is a copy.
func (l *Loader) Files() map[string]*hcl.File {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.files)
}

// LoadGate reads the gate's modules and data from fsys and compiles them
// (see Compile). A problem in a Rego or data file is a diagnostic whose
// Subject is its position in that file; a problem with the block (a file
// that cannot be read, a bad query) points at the attribute.
func (l *Loader) LoadGate(fsys fs.FS, spec policy.GateSpec) (rollout.Gate, string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	at := func(attr string) *hcl.Range {
		if r, ok := spec.Attrs[attr]; ok {
			return &r
		}
		r := spec.Range
		return &r
	}
	if l.cfg.err != nil {
		return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid gate loader option", Detail: l.cfg.err.Error(), Subject: at("timeout")}}
	}
	cfg := l.cfg
	if spec.Timeout != 0 {
		if err := checkTimeout(spec.Timeout); err != nil {
			return nil, "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid timeout", Detail: fmt.Sprintf("Gate %q: %v.", spec.Name, err), Subject: at("timeout")}}
		}
		cfg.timeout = spec.Timeout
	}
	dir := filepath.Dir(spec.Range.Filename)
	display := func(p string) string {
		if dir == "." || dir == "" {
			return p
		}
		return filepath.Join(dir, filepath.FromSlash(p))
	}
	read := func(paths []string, attr string) []File {
		var out []File
		for _, p := range paths {
			src, err := readLimited(fsys, p)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read gate file",
					Detail: fmt.Sprintf("Gate %q: %s: %v.", spec.Name, display(p), err), Subject: at(attr)})
				continue
			}
			name := display(p)
			l.mu.Lock()
			l.files[name] = &hcl.File{Body: hcl.EmptyBody(), Bytes: src}
			l.mu.Unlock()
			out = append(out, File{Name: name, Src: src})
		}
		return out
	}
	cs := Spec{Name: spec.Name, Modules: read(spec.Rego, "rego"), Data: read(spec.Data, "data"), Query: spec.Query}
	if diags.HasErrors() {
		return nil, "", diags
	}
	key := digest(cs) + " " + cfg.timeout.String()
	l.mu.Lock()
	g := l.gates[key]
	l.mu.Unlock()
	if g != nil {
		return g, g.Digest(), nil
	}
	g, err := Compile(cs, WithTimeout(cfg.timeout))
	if err != nil {
		return nil, "", l.diagnostics(spec, cs, err, at)
	}
	l.mu.Lock()
	l.gates[key] = g
	l.mu.Unlock()
	return g, g.Digest(), nil
}

// readLimited reads a gate file of at most MaxFileSize bytes.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, errors.New("not a path inside the policy directory")
	}
	// A FIFO would block at open, /dev/zero never ends: refuse what is
	// not a regular file before opening it, as policy.ReadSource does.
	if fi, err := fs.Stat(fsys, name); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return src, nil
}

// diagnostics turns Compile's errors into diagnostics.
func (l *Loader) diagnostics(spec policy.GateSpec, cs Spec, err error, at func(string) *hcl.Range) hcl.Diagnostics {
	srcs := map[string][]byte{}
	for _, f := range append(cs.Modules[:len(cs.Modules):len(cs.Modules)], cs.Data...) {
		srcs[f.Name] = f.Src
	}
	var diags hcl.Diagnostics
	errs := Errors(err)
	if len(errs) == 0 {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid Rego gate", Detail: fmt.Sprintf("Gate %q: %v.", spec.Name, err), Subject: at("rego")}}
	}
	for _, e := range errs {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary(e.Code), Detail: fmt.Sprintf("Gate %q: %s", spec.Name, e.Msg)}
		if e.Code != "" && !strings.HasPrefix(e.Code, "ringwise_") {
			d.Detail += " (" + e.Code + ")"
		}
		if src, ok := srcs[e.Src.File]; ok && !(e.Code == queryErrCode && spec.Query != "") {
			d.Subject = fileRange(e.Src, src)
		} else if e.Code == queryErrCode {
			d.Subject = at("query")
		} else {
			d.Subject = at("rego")
		}
		diags = append(diags, d)
	}
	return diags
}

func summary(code string) string {
	switch code {
	case "rego_parse_error":
		return "Rego syntax error"
	case "rego_type_error":
		return "Rego type error"
	case "rego_recursion_error":
		return "Recursive Rego rule"
	case "rego_unsafe_var_error":
		return "Unsafe Rego variable"
	case "ringwise_data_error":
		return "Invalid gate data"
	case "ringwise_import_error":
		return "Unknown import"
	case queryErrCode:
		return "Invalid gate query"
	}
	return "Invalid Rego gate"
}

// fileRange converts a position into an hcl.Range of one character in src.
func fileRange(s rollout.Source, src []byte) *hcl.Range {
	line, col := max(s.Line, 1), max(s.Column, 1)
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			off = len(src)
			break
		}
		off += i + 1
	}
	end := off
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		end = off + i
	} else {
		end = len(src)
	}
	b := min(off+col-1, end)
	start := hcl.Pos{Line: line, Column: col, Byte: b}
	stop := hcl.Pos{Line: line, Column: col + 1, Byte: min(b+1, end)}
	if stop.Byte == start.Byte {
		stop.Column = col
	}
	return &hcl.Range{Filename: s.File, Start: start, End: stop}
}
