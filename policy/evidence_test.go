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
	{
		name:  "min_taken zero",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"all\" {\n    steps     = [100]\n    bake      = \"1h\"\n    min_taken = 0\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:17", "Invalid min_taken", `min_taken must be a share in (0, 1], got 0; omit it for the default 0.5.`}},
	},
	{
		name:  "min_taken above 1",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"all\" {\n    steps     = [100]\n    bake      = \"1h\"\n    min_taken = 80\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:17", "Invalid min_taken", `min_taken must be a share in (0, 1], got 80`}},
	},
	{
		name:  "min_host_hours negative",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"all\" {\n    steps          = [100]\n    bake           = \"1h\"\n    min_host_hours = -5\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:22", "Invalid min_host_hours", `min_host_hours must be a number of host-hours >= 0, got -5`}},
	},
	{
		name:  "min_taken misspelt",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"all\" {\n    steps    = [100]\n    bake     = \"1h\"\n    min_take = 0.8\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:5", "Unsupported argument", `Did you mean "min_taken"?`}},
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

// TestEvidenceBake: min_taken and min_host_hours load into the ring;
// min_healthy = 0 is the explicit "no health gate", which loads with a
// located warning.
func TestEvidenceBake(t *testing.T) {
	p, diags := Load(mapFS(map[string]string{"p.hcl": `rollout "r" {
  ring "canary" {
    select { channel = "internal" }
    steps          = [100]
    bake           = "30m"
    min_taken      = 0.8
    min_host_hours = 200
  }
  ring "broad" {
    steps       = [10, 100]
    bake        = "6m"
    min_healthy = 0
  }
}
`}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []diag{{"p.hcl:12:19", "No health gate", `ring "broad" end on time alone`}}
	if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	type ev struct {
		MinTaken, MinHostHours, MinHealthy float64
		NoHealthGate                       bool
	}
	var got []ev
	for _, r := range p.Plans[0].Rings {
		got = append(got, ev{r.MinTaken, r.MinHostHours, r.MinHealthy, r.NoHealthGate})
	}
	if diff := cmp.Diff([]ev{{0.8, 200, 0, false}, {0, 0, 0, true}}, got); diff != "" {
		t.Errorf("rings (-want +got):\n%s", diff)
	}
}
