package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// exampleFiles are the example policy files this package's tests pin down.
// Other files in examples/policies are only required to load with them and
// to be stable under Format.
var exampleFiles = []string{"content.hcl", "sensor.hcl", "tenants.hcl"}

// exampleFS returns exampleFiles as an in-memory policy directory.
func exampleFS(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range exampleFiles {
		src, err := os.ReadFile(filepath.Join("../examples/policies", name))
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: src}
	}
	return fsys
}

// examples returns every example policy file by name.
func examples(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("../examples/policies/*.hcl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example policies: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = src
	}
	return out
}

func FuzzLoad(f *testing.F) {
	for name, src := range examples(f) {
		f.Add(name, src)
	}
	for _, tc := range badCases {
		for name, src := range tc.files {
			f.Add(name, []byte(src))
		}
	}
	f.Fuzz(func(t *testing.T, name string, src []byte) {
		if strings.HasSuffix(name, ".json") {
			name = "fuzz.hcl.json"
		} else {
			name = "fuzz.hcl"
		}
		p, diags := Load(fstest.MapFS{name: {Data: src}})
		if p == nil {
			t.Fatal("nil Policy")
		}
		for _, d := range diags {
			if d.Severity == 0 || d.Summary == "" {
				t.Errorf("malformed diagnostic %#v", d)
			}
		}
		if !diags.HasErrors() {
			for _, pl := range p.Plans {
				if pl.Digest() == "" {
					t.Errorf("plan %q without a digest", pl.Name)
				}
			}
		}
		var b bytes.Buffer
		_ = WriteDiagnostics(&b, p.Files, diags)
	})
}

func FuzzFormat(f *testing.F) {
	for _, src := range examples(f) {
		f.Add(src)
	}
	for _, tc := range badCases {
		for _, src := range tc.files {
			f.Add([]byte(src))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		once, diags := Format(src, "fuzz.hcl")
		if diags.HasErrors() {
			return
		}
		twice, diags := Format(once, "fuzz.hcl")
		if diags.HasErrors() {
			t.Fatalf("formatted source does not parse: %v\n%s", diags, once)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("Format is not idempotent:\n%q\n%q", once, twice)
		}
	})
}

// TestFormatExamples checks that the examples are formatted, that Format is
// idempotent on them, and that formatting leaves the plans' digests alone.
func TestFormatExamples(t *testing.T) {
	files := examples(t)
	formatted := fstest.MapFS{}
	original := fstest.MapFS{}
	for name, src := range files {
		once, diags := Format(src, name)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags)
		}
		twice, _ := Format(once, name)
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: Format is not idempotent", name)
		}
		if !bytes.Equal(once, src) && slices.Contains(exampleFiles, name) {
			t.Errorf("%s is not formatted (run ringwise fmt -w)", name)
		}
		// Scramble the layout, then format it back.
		scrambled := bytes.ReplaceAll(src, []byte("  "), []byte(" "))
		scrambled = bytes.ReplaceAll(scrambled, []byte(" = "), []byte("="))
		out, diags := Format(scrambled, name)
		if diags.HasErrors() {
			t.Fatalf("%s scrambled: %v", name, diags)
		}
		original[name] = &fstest.MapFile{Data: scrambled}
		formatted[name] = &fstest.MapFile{Data: out}
	}
	// The gates' Rego and data files come along unchanged.
	gates, err := filepath.Glob("../examples/policies/gates/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gates {
		src, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		name := "gates/" + filepath.Base(g)
		original[name] = &fstest.MapFile{Data: src}
		formatted[name] = &fstest.MapFile{Data: src}
	}
	a, diags := Load(original, WithGateLoader(&fakeLoader{}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	b, diags := Load(formatted, WithGateLoader(&fakeLoader{}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for i := range a.Plans {
		if a.Plans[i].Digest() != b.Plans[i].Digest() {
			t.Errorf("plan %s: digest %s before formatting, %s after", a.Plans[i].Name, a.Plans[i].Digest(), b.Plans[i].Digest())
		}
	}
}

func TestFormatJSON(t *testing.T) {
	src := []byte(`{"rollout": {"r": {"ring": {"a": {"steps": [100], "bake": "1h"}}}}}` + "\n\n")
	once, diags := Format(src, "p.hcl.json")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	twice, _ := Format(once, "p.hcl.json")
	if !bytes.Equal(once, twice) {
		t.Errorf("not idempotent:\n%s\n%s", once, twice)
	}
	if _, diags := Format([]byte("{"), "p.hcl.json"); !diags.HasErrors() {
		t.Error("Format accepted broken JSON")
	}
	if _, diags := Format([]byte("rollout {"), "p.hcl"); !diags.HasErrors() {
		t.Error("Format accepted broken HCL")
	}
}
