package ringwise_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// camelRef matches an identifier-looking word of a comment, optionally
// qualified: "MarshalState", "rollout.Stop", "Fleet.Stratum".
var camelRef = regexp.MustCompile(`\b(?:([A-Za-z][A-Za-z0-9]*)\.)?(?:([A-Z][A-Za-z0-9]*)\.)?([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[A-Z][a-z]+)\b`)

// docWords are CamelCase words of the docs that are not identifiers.
var docWords = []string{
	"DefRange", "EvalTime", // hcl's and OPA's, named unqualified
	"GitHub", "JavaScript", "MiB", "PostgreSQL", "PromQL", "WebAssembly", "SQLite", "CrowdStrike", "CloudFlare", "OpenMetrics", "TypeScript", "NaN", "MinIO", "GiB", "KiB", "JSONPath", "UTC", "AppConfig"}

// declared returns the names each package of the module declares
// (functions, methods, types, fields, constants, variables), by package
// name and by directory, from its non-test files.
//
// exported holds what any package exports: exported functions, types,
// variables and constants, and the exported methods and fields of
// exported types.
func declared(t *testing.T) (byName, byDir map[string]map[string]bool, exported map[string]bool, files map[string]*ast.File, fset *token.FileSet) {
	byName, byDir, files = map[string]map[string]bool{}, map[string]map[string]bool{}, map[string]*ast.File{}
	exported = map[string]bool{}
	fset = token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() && path != "." {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module (bench/): its own names
			}
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		test := strings.HasSuffix(path, "_test.go")
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if !test {
			files[path] = f // tests' comments are not checked; their names count
		}
		names := byDir[filepath.Dir(path)]
		if names == nil {
			names = map[string]bool{}
			byDir[filepath.Dir(path)] = names
		}
		if f.Name.Name != "main" && !strings.HasSuffix(f.Name.Name, "_test") {
			byName[f.Name.Name] = names
		}

		if !test {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() && (d.Recv == nil || receiverExported(d.Recv)) {
						exported[d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, sp := range d.Specs {
						switch sp := sp.(type) {
						case *ast.TypeSpec:
							if !sp.Name.IsExported() {
								continue
							}
							exported[sp.Name.Name] = true
							if st, ok := sp.Type.(*ast.StructType); ok {
								for _, fl := range st.Fields.List {
									for _, id := range fl.Names {
										exported[id.Name] = id.IsExported()
									}
								}
							}
						case *ast.ValueSpec:
							for _, id := range sp.Names {
								if id.IsExported() {
									exported[id.Name] = true
								}
							}
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				names[n.Name.Name] = true
			case *ast.TypeSpec:
				names[n.Name.Name] = true
			case *ast.ValueSpec:
				for _, id := range n.Names {
					names[id.Name] = true
				}
			case *ast.Field:
				for _, id := range n.Names {
					names[id.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return byName, byDir, exported, files, fset
}

// receiverExported reports whether a method's receiver type is exported.
func receiverExported(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if st, ok := typ.(*ast.StarExpr); ok {
		typ = st.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// TestDocIdentifiers keeps doc comments in step with the code: an
// identifier a comment names (a CamelCase word, or Name qualified by a
// package of this module or a type) must be declared in that package, or,
// unqualified, in the comment's own package or exported by one of the
// module's packages. A doc that mentions a
// MarshalJSON the package does not have is a doc that lies.
func TestDocIdentifiers(t *testing.T) {
	byName, byDir, exported, files, fset := declared(t)
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	})
	for _, path := range paths {
		f := files[path]
		own := byDir[filepath.Dir(path)]
		for _, cg := range docComments(f) {
			for _, m := range camelRef.FindAllStringSubmatch(cg.Text(), -1) {
				qual, typ, word := m[1], m[2], m[3]
				if qual != "" && typ == "" && !isUpper(qual) && byName[qual] == nil {
					continue // x.Name with x a variable or another module's package: not checked
				}
				if qual == "" && typ == "" && !strings.ContainsAny(word[1:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
					continue // a capitalised word ("The")
				}
				var ok bool
				switch {
				case byName[qual] != nil: // rollout.Stop, rollout.Fleet.Eligible, rollout.Plans
					in := byName[qual]
					ok = (typ == "" || in[typ]) && (in[word] || in[strings.TrimSuffix(word, "s")])
				case typ != "" || qual != "": // Fleet.Stratum, or GateInput.Now of another package
					ok = exported[word] || own[word]
				default: // Name: this package's, or exported by another (better qualified)
					ok = own[word] || exported[word]
				}
				if !ok && !slices.Contains(docWords, word) {
					t.Errorf("%s: the doc names %s, which is not declared there", fset.Position(cg.Pos()), m[0])
				}
			}
		}
	}
}

// docComments returns the comments go doc shows: the package doc and the
// docs of exported declarations (and of their exported fields and
// methods).
func docComments(f *ast.File) []*ast.CommentGroup {
	var out []*ast.CommentGroup
	add := func(cg *ast.CommentGroup) {
		if cg != nil {
			out = append(out, cg)
		}
	}
	add(f.Doc)
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() {
				add(d.Doc)
			}
		case *ast.GenDecl:
			exported := false
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					if !sp.Name.IsExported() {
						continue
					}
					exported = true
					add(sp.Doc)
					if st, ok := sp.Type.(*ast.StructType); ok {
						for _, fl := range st.Fields.List {
							if len(fl.Names) > 0 && fl.Names[0].IsExported() {
								add(fl.Doc)
								add(fl.Comment)
							}
						}
					}
				case *ast.ValueSpec:
					if slices.ContainsFunc(sp.Names, (*ast.Ident).IsExported) {
						exported = true
						add(sp.Doc)
						add(sp.Comment)
					}
				}
			}
			if exported {
				add(d.Doc)
			}
		}
	}
	return out
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }
