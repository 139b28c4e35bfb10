package examples_test

import (
	"bytes"
	"io/fs"
	"os"
	"testing"

	"github.com/ringwise/ringwise/examples"
	"github.com/ringwise/ringwise/policy"
)

func TestRecommended(t *testing.T) {
	fsys := examples.Recommended()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) != 1 || entries[0].Name() != "recommended.hcl" {
		t.Fatalf("Recommended() holds %v, %v; want recommended.hcl alone", entries, err)
	}
	got, err := fs.ReadFile(fsys, "recommended.hcl")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("policies/recommended.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the embedded policy differs from policies/recommended.hcl")
	}
	pol, diags := policy.Load(fsys)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(pol.Plans) != 1 || pol.Plans[0].Name != "recommended" {
		t.Errorf("plans: %v", pol.Plans)
	}
}
