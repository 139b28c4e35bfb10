package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/fuzzbudget"
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

// jsonSeeds are policies in HCL's JSON form that seed the JSON targets.
var jsonSeeds = []string{
	`{"rollout": {"content": {"applies_to": ["content"], "ring": {"canary": {"steps": [100], "bake": "30m", "cover": ["os_build"]}, "broad": {"steps": [1, 10, 100], "bake": "2h", "tenant_cap": 50}}, "trigger": {"crash": {"signal": "crash", "above": 0.01, "action": "rollback"}}, "urgency": {"emergency": {"bake_scale": 0.1}}, "blackout": {"year-end": {"from": "2026-12-20T00:00:00Z", "to": "2027-01-04T00:00:00Z", "exempt": ["emergency"]}}}}}`,
	`{"tenant": {"hospital": {"select": {"tenant": "st-marys"}, "defer": "48h", "maintenance": [{"days": ["sat"], "start": "01:00", "hours": 4, "zone": "Europe/London"}]}}, "rollout": {"r": {"ring": {"a": {"steps": [100], "bake": "1h"}}}}}`,
	`{"signal": {"cpu": {"description": "CPU"}}, "rollout": {"r": {"ring": {"a": {"steps": [50, 100], "bake": "1h"}}, "trigger": {"t": {"signal": "cpu", "test": "sprt", "rate": 0.01, "ratio": 2, "alpha": 0.01, "action": "halt"}}}}}`,
	`{"rollout": {"r": {"ring": {"a": {"steps": "${[for a in [1] : a]}", "bake": "1h"}}}}}`,
	`{"rollout": {"r": {"//": "a comment", "ring": {"a": {"steps": [100], "bake": "%{if true}1h%{endif}"}}}}}`,
}

// loadFuzz loads src as the only file of a policy and checks what every
// input must give: a Policy, well-formed diagnostics that render, a digest
// for every plan; all within fuzzbudget.Default.
func loadFuzz(t *testing.T, name string, src []byte) {
	fuzzbudget.Default.Run(t, len(src), func() {
		p, diags := Load(fstest.MapFS{name: {Data: src}})
		if p == nil {
			t.Fatal("nil Policy")
		}
		for _, d := range diags {
			if d.Severity == 0 || d.Summary == "" {
				t.Errorf("malformed diagnostic %#v", d)
			}
			if d.Severity == hcl.DiagError && d.Subject == nil {
				t.Errorf("error without a location: %v", d)
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

func FuzzLoad(f *testing.F) {
	for name, src := range examples(f) {
		f.Add(name, src)
	}
	for _, tc := range badCases {
		for name, src := range tc.files {
			f.Add(name, []byte(src))
		}
	}
	// The constructs of the policy language v2: step generators, bakes,
	// canary_hosts, negated selectors, warnings.
	f.Add("v2.hcl", []byte(stepsPolicy))
	f.Add("lint.hcl", []byte(lintPolicy))
	f.Fuzz(func(t *testing.T, name string, src []byte) {
		if strings.HasSuffix(name, ".json") {
			name = "fuzz.hcl.json"
		} else {
			name = "fuzz.hcl"
		}
		loadFuzz(t, name, src)
	})
}

// FuzzLoadJSON: the loader on HCL's JSON form.
func FuzzLoadJSON(f *testing.F) {
	for _, src := range jsonSeeds {
		f.Add([]byte(src))
	}
	for _, tc := range badCases {
		for name, src := range tc.files {
			if strings.HasSuffix(name, ".json") {
				f.Add([]byte(src))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) { loadFuzz(t, "fuzz.hcl.json", src) })
}

// formatFuzz checks that Format is idempotent on src and its output parses.
func formatFuzz(t *testing.T, name string, src []byte) {
	fuzzbudget.Default.Run(t, len(src), func() {
		once, diags := Format(src, name)
		if diags.HasErrors() {
			return
		}
		twice, diags := Format(once, name)
		if diags.HasErrors() {
			t.Fatalf("formatted source does not parse: %v\n%s", diags, once)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("Format is not idempotent:\n%q\n%q", once, twice)
		}
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
	f.Fuzz(func(t *testing.T, src []byte) { formatFuzz(t, "fuzz.hcl", src) })
}

// FuzzFormatJSON: Format on HCL's JSON form.
func FuzzFormatJSON(f *testing.F) {
	for _, src := range jsonSeeds {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) { formatFuzz(t, "fuzz.hcl.json", src) })
}

// FuzzFormatDigest: formatting never changes what a policy means. A
// source that loads loads again after Format, into plans with the same
// names and digests and the same tenants; one that does not load does not
// load after Format either.
func FuzzFormatDigest(f *testing.F) {
	for name, src := range examples(f) {
		f.Add(name, src)
	}
	for _, src := range jsonSeeds {
		f.Add("p.hcl.json", []byte(src))
	}
	f.Fuzz(func(t *testing.T, given string, src []byte) {
		name := "fuzz.hcl"
		if strings.HasSuffix(given, ".json") {
			name = "fuzz.hcl.json"
		}
		fuzzbudget.Default.Run(t, len(src), func() {
			out, diags := Format(src, name)
			if diags.HasErrors() {
				return
			}
			before, d1 := Load(fstest.MapFS{name: {Data: src}})
			after, d2 := Load(fstest.MapFS{name: {Data: out}})
			if d1.HasErrors() != d2.HasErrors() {
				t.Fatalf("loads with errors %v before formatting and %v after:\nbefore: %v\nafter: %v\n%s", d1.HasErrors(), d2.HasErrors(), d1, d2, out)
			}
			digests := func(p *Policy) []string {
				var out []string
				for _, pl := range p.Plans {
					out = append(out, pl.Name+" "+pl.Digest())
				}
				return out
			}
			if diff := cmp.Diff(digests(before), digests(after)); diff != "" {
				t.Fatalf("plans changed by formatting (-before +after):\n%s\n%s", diff, out)
			}
			if len(before.Tenants) != len(after.Tenants) {
				t.Fatalf("%d tenants before formatting, %d after", len(before.Tenants), len(after.Tenants))
			}
		})
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
