package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/rollout"
)

// evidenceBadCases are misuses of the evidence attributes, with their
// located diagnostics. They also run in TestLoadErrors' manner.
var evidenceBadCases = []struct {
	name  string
	files map[string]string
	want  []diag
}{
	{
		name:  "attribute misspelt",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal    = \"crash\"\n    above     = 0.1\n    attribute = \"basline\"\n    action    = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:9:17", "Invalid attribute", `got "basline". Did you mean "baseline"?`}},
	},
	{
		name:  "attribute on a baseline trigger",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal    = \"crash\"\n    against   = \"baseline\"\n    ratio     = 2\n    attribute = \"baseline\"\n    action    = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:10:5", "Unexpected attribute", `"attribute" is not used by a baseline trigger`}},
	},
	{
		name:  "by misspelt",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal = \"crash\"\n    above  = 0.1\n    bye    = [\"os_build\"]\n    action = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:9:5", "Unsupported argument", `Did you mean "by"?`}},
	},
	{
		name:  "by lists a label twice",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal = \"crash\"\n    above  = 0.1\n    by     = [\"os_build\", \"os_build\"]\n    action = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:9:14", "Invalid by", `by lists label "os_build" twice`}},
	},
	{
		name:  "by lists no label",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal = \"crash\"\n    above  = 0.1\n    by     = []\n    action = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:9:14", "Invalid by", `by lists no label`}},
	},
}

func TestEvidenceErrors(t *testing.T) {
	for _, tc := range evidenceBadCases {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Load(mapFS(tc.files))
			if !diags.HasErrors() {
				t.Fatalf("Load succeeded, want errors")
			}
			if diff := cmp.Diff(tc.want, summarize(diags, tc.want)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall: %v", diff, diags)
			}
		})
	}
}

// TestAttributedTriggers: attribute = "baseline" sets Attributed on each
// form that takes it; "none" and no attribute leave it unset.
func TestAttributedTriggers(t *testing.T) {
	p, diags := Load(mapFS(map[string]string{"p.hcl": wrap(`  trigger "crash-rate" {
    signal    = "crash"
    above     = 0.05
    attribute = "baseline"
    action    = "rollback"
  }
  trigger "went-quiet" {
    signal    = "silent"
    above     = 0.05
    attribute = "baseline"
    action    = "rollback"
  }
  trigger "crash-sprt" {
    signal    = "crash"
    test      = "sprt"
    rate      = 0.001
    ratio     = 3
    alpha     = 0.01
    attribute = "baseline"
    action    = "halt"
  }
  trigger "plain" {
    signal    = "crash"
    above     = 0.5
    attribute = "none"
    by        = ["os_build", "some_option"]
    action    = "halt"
  }
`)}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, tr := range p.Plans[0].Triggers {
		if tr.Attributed {
			got = append(got, tr.Name)
		}
	}
	if diff := cmp.Diff([]string{"crash-rate", "went-quiet", "crash-sprt"}, got); diff != "" {
		t.Errorf("attributed triggers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"os_build", "some_option"}, p.Plans[0].Triggers[3].By); diff != "" {
		t.Errorf("by (-want +got):\n%s", diff)
	}
	if k := p.Plans[0].Triggers[1].Kind; k != rollout.Silence {
		t.Errorf("went-quiet is %s, want silence", k)
	}
}
