package rego

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	oparego "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/ringwise/ringwise/rollout"
)

// File is a named source: a Rego module or a JSON or YAML data document.
// Name is used in errors and in every rollout.Source that points into the
// file.
type File struct {
	Name string
	Src  []byte
}

// Spec says what a gate is made of.
type Spec struct {
	// Name names the gate in errors ("" is allowed).
	Name string
	// Modules are the gate's Rego modules, in Rego v1 syntax. Test modules
	// (*_test.rego) do not belong here; run them with RunTests.
	Modules []File
	// Data are JSON (.json) or YAML (.yaml, .yml) documents, each an object
	// whose keys become top-level documents under data. Two files may not
	// define the same value.
	Data []File
	// Query is the package that holds the gate's hold, halt and rollback
	// rules, as a reference: "data.ringwise.gates.freeze". Empty means the
	// one package among Modules that defines any of them.
	Query string
}

// Rule names of the output contract, in order of severity.
var outputNames = [...]string{"hold", "halt", "rollback"}

// reservedPrefix starts the names of the rules Compile adds to a gate.
const reservedPrefix = "__ringwise_"

// queryErrCode marks errors about Spec.Query (see Loader).
const queryErrCode = "ringwise_query_error"

// Gate is a compiled Rego gate: a rollout.Gate whose verdict is the hold,
// halt and rollback rules of a Rego package. Build one with Compile (or
// through a Loader).
//
// A Gate is immutable and safe for concurrent use; its Evaluate is
// deterministic for a given input (see the package doc for the sandbox).
type Gate struct {
	name    string
	pkg     ast.Ref
	pq      oparego.PreparedEvalQuery
	outputs []output
	timeout time.Duration
	digest  string
	stuck   atomic.Int32 // abandoned evaluations still running (see run)
	inputs  atomic.Pointer[inputCache]
}

// output is one element of the gate's query: the messages of one rule
// definition (or of a whole rule, when it cannot be split by definition).
type output struct {
	action int // index into outputNames
	src    rollout.Source
	whole  bool // a comprehension over the whole rule: [] means undefined
}

var _ rollout.Gate = (*Gate)(nil)

// Name returns the gate's name from its Spec.
func (g *Gate) Name() string { return g.name }

// Package returns the reference of the package holding the gate's rules.
func (g *Gate) Package() string { return g.pkg.String() }

// Digest identifies the gate: its modules, data, query and timeout (a
// gate that times out holds the rollout, so its timeout is part of what it
// decides). It becomes part of the plan's digest.
func (g *Gate) Digest() string { return g.digest }

// Timeout returns the deadline of one evaluation.
func (g *Gate) Timeout() time.Duration { return g.timeout }

// Compile parses, checks and compiles a gate once into a prepared query.
// Every problem found is reported: the error joins one *Error per problem
// (see Errors), each with the file and line it comes from. Compile never
// panics.
func Compile(spec Spec, opts ...Option) (g *Gate, err error) {
	cfg := buildConfig(opts)
	if cfg.err != nil {
		return nil, cfg.err
	}
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, &Error{Src: firstSrc(spec), Code: "ringwise_internal_error", Msg: fmt.Sprintf("compiling the gate panicked: %v", r)}
		}
	}()
	c := compiler{spec: spec}
	return c.compile(cfg)
}

type compiler struct {
	spec    Spec
	errs    []error
	modules map[string]*ast.Module
	order   []*ast.Module
	data    map[string]any
}

func (c *compiler) bad(src rollout.Source, code, format string, args ...any) {
	if src.Line < 1 {
		src.Line, src.Column = 1, 1
	}
	src.Column = max(src.Column, 1)
	if src.File == "" {
		src.File = firstSrc(c.spec).File
	}
	c.errs = append(c.errs, &Error{Src: src, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// astErrors records OPA errors; those without a location point at
// fallback. Errors about the rules Compile adds (copies of the gate's own)
// and repeated errors are left out.
func (c *compiler) astErrors(err error, fallback rollout.Source) {
	var errs ast.Errors
	var one *ast.Error
	switch {
	case errors.As(err, &errs):
	case errors.As(err, &one):
		errs = ast.Errors{one}
	default:
		c.bad(fallback, "", "%v", err)
		return
	}
	seen := map[string]bool{}
	for _, e := range errs {
		if strings.Contains(e.Message, reservedPrefix) {
			continue
		}
		src := fallback
		if e.Location != nil && e.Location.File != "" && e.Location.Row > 0 {
			src = rollout.Source{File: e.Location.File, Line: e.Location.Row, Column: e.Location.Col}
		}
		key := fmt.Sprintf("%s %s %s", src, e.Code, e.Message)
		if seen[key] {
			continue
		}
		seen[key] = true
		c.bad(src, e.Code, "%s", sandboxHint(e.Message))
	}
}

func firstSrc(spec Spec) rollout.Source {
	switch {
	case len(spec.Modules) > 0:
		return rollout.Source{File: spec.Modules[0].Name, Line: 1, Column: 1}
	case len(spec.Data) > 0:
		return rollout.Source{File: spec.Data[0].Name, Line: 1, Column: 1}
	}
	return rollout.Source{File: "<gate " + spec.Name + ">", Line: 1, Column: 1}
}

func (c *compiler) compile(cfg config) (*Gate, error) {
	spec := c.spec
	if len(spec.Modules) == 0 {
		c.bad(firstSrc(spec), "", "a gate needs at least one Rego module")
		return nil, errors.Join(c.errs...)
	}
	dataOK := c.parse()
	if len(c.modules) < len(spec.Modules) {
		return nil, errors.Join(c.errs...)
	}
	// Modules that parse are checked and compiled even when a data file is
	// bad, so that one run reports the problems of both.
	pkg := c.pkg()
	if pkg == nil {
		return nil, errors.Join(c.errs...)
	}
	outs, parts := c.outputs(pkg)
	if dataOK {
		c.checkImports()
	}
	if len(c.errs) > 0 && dataOK {
		return nil, errors.Join(c.errs...)
	}

	comp := sandboxCompiler().WithPathConflictsCheck(c.dataConflict)
	if err := compileBounded(comp, c.modules); err != nil {
		c.bad(firstSrc(spec), "ringwise_sandbox_error", "%v", err)
	} else if comp.Failed() {
		c.astErrors(comp.Errors, firstSrc(spec))
	}
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}

	body, err := ast.ParseBodyWithOpts("__ringwise__ = ["+strings.Join(parts, ", ")+"]", ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		c.bad(firstSrc(spec), "ringwise_internal_error", "building the gate query: %v", err)
		return nil, errors.Join(c.errs...)
	}
	store := inmem.NewFromObjectWithOpts(c.data, inmem.OptReturnASTValuesOnRead(true))
	pq, err := oparego.New(append(sandboxOptions(),
		oparego.Compiler(comp),
		oparego.Store(store),
		oparego.StoreReadAST(true),
		oparego.ParsedQuery(body),
		oparego.StrictBuiltinErrors(true),
		oparego.EnablePrintStatements(true),
		oparego.GenerateJSON(keepTerm),
	)...).PrepareForEval(context.Background())
	if err != nil {
		c.astErrors(err, firstSrc(spec))
		return nil, errors.Join(c.errs...)
	}
	return &Gate{
		name:    spec.Name,
		pkg:     pkg,
		pq:      pq,
		outputs: outs,
		timeout: cfg.timeout,
		digest:  gateDigest(spec, cfg.timeout),
	}, nil
}

// keepTerm hands results back as OPA terms: no conversion to Go values.
func keepTerm(t *ast.Term, _ *oparego.EvalContext) (any, error) { return t, nil }

// parse parses the modules and data files. It reports whether every data
// file was good.
func (c *compiler) parse() (dataOK bool) {
	c.modules = make(map[string]*ast.Module, len(c.spec.Modules))
	for _, f := range c.spec.Modules {
		src := rollout.Source{File: f.Name, Line: 1, Column: 1}
		if _, dup := c.modules[f.Name]; dup {
			c.bad(src, "", "module %s is listed twice", f.Name)
			continue
		}
		m, err := ast.ParseModuleWithOpts(f.Name, string(f.Src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			c.astErrors(err, src)
			continue
		}
		if m == nil {
			c.bad(src, "rego_parse_error", "empty module: a module needs a package declaration")
			continue
		}
		for _, e := range checkModule(m) {
			c.errs = append(c.errs, e)
		}
		c.modules[f.Name] = m
		c.order = append(c.order, m)
	}
	c.data = map[string]any{}
	dataOK = true
	for _, f := range c.spec.Data {
		d, e := parseData(f)
		if e != nil {
			c.errs = append(c.errs, e)
			dataOK = false
			continue
		}
		if err := mergeData(c.data, d, nil); err != nil {
			c.bad(rollout.Source{File: f.Name, Line: 1, Column: 1}, "ringwise_data_error", "%v", err)
			dataOK = false
		}
	}
	return dataOK
}

// pkg returns the package of the gate's rules.
func (c *compiler) pkg() ast.Ref {
	if q := c.spec.Query; q != "" {
		ref, err := ast.ParseRef(q)
		if err != nil || !ref.HasPrefix(ast.DefaultRootRef) || !ref.IsGround() || len(ref) < 2 {
			c.bad(firstSrc(c.spec), queryErrCode, "query %q is not a package reference such as data.ringwise.gates.freeze", q)
			return nil
		}
		for _, m := range c.order {
			if m.Package.Path.Equal(ref) && definesOutput(m) {
				return ref
			}
		}
		c.bad(firstSrc(c.spec), queryErrCode, "query %s is undefined: no module of the gate declares package %s with a hold, halt or rollback rule", q, strings.TrimPrefix(ref.String(), "data."))
		return nil
	}
	var pkgs []ast.Ref
	for _, m := range c.order {
		if definesOutput(m) && !slices.ContainsFunc(pkgs, func(p ast.Ref) bool { return p.Equal(m.Package.Path) }) {
			pkgs = append(pkgs, m.Package.Path)
		}
	}
	switch len(pkgs) {
	case 1:
		return pkgs[0]
	case 0:
		m := c.order[0]
		c.bad(locSrc(m.Package.Location), queryErrCode, "the gate defines no hold, halt or rollback rule, so it can never say anything (see the output contract in the package doc)")
	default:
		names := make([]string, len(pkgs))
		for i, p := range pkgs {
			names[i] = p.String()
		}
		c.bad(firstSrc(c.spec), queryErrCode, "packages %s all define hold, halt or rollback rules: set the gate's query to one of them", strings.Join(names, ", "))
	}
	return nil
}

func locSrc(l *ast.Location) rollout.Source {
	if l == nil {
		return rollout.Source{}
	}
	return rollout.Source{File: l.File, Line: l.Row, Column: l.Col}
}

// outputName returns the index of the output rule r defines, or -1.
func outputName(r *ast.Rule) int {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return -1
	}
	v, ok := ref[0].Value.(ast.Var)
	if !ok {
		return -1
	}
	return slices.Index(outputNames[:], string(v))
}

func definesOutput(m *ast.Module) bool {
	return slices.ContainsFunc(m.Rules, func(r *ast.Rule) bool { return outputName(r) >= 0 })
}

// outputs splits the gate's hold, halt and rollback rules by definition so
// that each message can name the rule that gave it: every definition of a
// multi-value rule (`hold contains msg if ...`) is copied under a reserved
// name and queried on its own. Other forms are queried whole.
func (c *compiler) outputs(pkg ast.Ref) ([]output, []string) {
	var outs []output
	var parts []string
	for _, m := range c.order {
		for _, r := range m.Rules {
			if name := r.Head.Ref()[0].Value.String(); strings.HasPrefix(name, reservedPrefix) {
				c.bad(locSrc(r.Location), "", "rule names starting with %s are reserved", reservedPrefix)
			}
		}
	}
	for action, name := range outputNames {
		type def struct {
			m *ast.Module
			r *ast.Rule
		}
		var defs []def
		split := true
		for _, m := range c.order {
			if !m.Package.Path.Equal(pkg) {
				continue
			}
			for _, r := range m.Rules {
				if outputName(r) != action {
					continue
				}
				defs = append(defs, def{m, r})
				if len(r.Head.Ref()) != 1 || r.Head.RuleKind() != ast.MultiValue || r.Default {
					split = false
				}
			}
		}
		if len(defs) == 0 {
			continue
		}
		if !split {
			outs = append(outs, output{action: action, src: locSrc(defs[0].r.Location), whole: true})
			parts = append(parts, fmt.Sprintf("[__x | __x := %s]", pkg.Append(ast.StringTerm(name))))
			continue
		}
		for i, d := range defs {
			cp := d.r.Copy()
			id := fmt.Sprintf("%s%s_%d", reservedPrefix, name, i)
			cp.Head.Name = ast.Var(id)
			cp.Head.Reference = ast.Ref{ast.VarTerm(id)}
			cp.Module = d.m
			d.m.Rules = append(d.m.Rules, cp)
			outs = append(outs, output{action: action, src: locSrc(d.r.Location)})
			parts = append(parts, pkg.Append(ast.StringTerm(id)).String())
		}
	}
	return outs, parts
}

// checkImports rejects imports of data that neither a module nor a data
// file of the gate defines: a gate sees nothing else.
func (c *compiler) checkImports() {
	for _, m := range c.order {
		for _, imp := range m.Imports {
			ref, ok := imp.Path.Value.(ast.Ref)
			if !ok || !ref.HasPrefix(ast.DefaultRootRef) {
				continue
			}
			if !c.defines(ref) {
				c.bad(locSrc(imp.Location), "ringwise_import_error", "import %s: no module or data file of this gate defines it", ref)
			}
		}
	}
}

// defines reports whether ref (data....) names a package, a rule or a data
// document of the gate, or something inside or above one.
func (c *compiler) defines(ref ast.Ref) bool {
	for _, m := range c.order {
		p := m.Package.Path
		if p.HasPrefix(ref) || ref.HasPrefix(p) {
			return true
		}
	}
	var node any = c.data
	for _, t := range ref[1:] {
		obj, ok := node.(map[string]any)
		if !ok {
			return true // inside a value: may be undefined, not unknown
		}
		s, ok := t.Value.(ast.String)
		if !ok {
			return true
		}
		if node, ok = obj[string(s)]; !ok {
			return false
		}
	}
	return true
}

// dataConflict reports whether the data files define something at path,
// where a rule wants to be.
func (c *compiler) dataConflict(path []string) (bool, error) {
	var node any = c.data
	for _, k := range path {
		obj, ok := node.(map[string]any)
		if !ok {
			return true, nil
		}
		if node, ok = obj[k]; !ok {
			return false, nil
		}
	}
	return true, nil
}

// gateDigest is the digest of a gate with its timeout.
func gateDigest(spec Spec, timeout time.Duration) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00timeout %d\x00", digest(spec), timeout)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func digest(spec Spec) string {
	h := sha256.New()
	fmt.Fprintf(h, "rego gate\x00query %q\x00", spec.Query)
	for _, f := range spec.Modules {
		fmt.Fprintf(h, "module %q %d\x00", f.Name, len(f.Src))
		h.Write(f.Src)
	}
	for _, f := range spec.Data {
		fmt.Fprintf(h, "data %q %d\x00", f.Name, len(f.Src))
		h.Write(f.Src)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
