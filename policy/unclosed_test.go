package policy

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// An unclosed block is reported at the block that lacks its brace, as its
// indentation shows, not at the outermost block HCL finds open at the end.
func TestUnclosedBlockPointsAtTheBlock(t *testing.T) {
	type at struct{ Line, Column int }
	for _, tc := range []struct {
		name, src string
		want      at // the unclosed diagnostic's subject
	}{
		{"inner ring", `rollout "r" {
  ring "canary" {
    steps = [100]
    bake  = "20m"

  ring "broad" {
    steps = [10, 100]
    bake  = "1h"
  }
}
`, at{2, 3}},
		{"nested select", `rollout "r" {
  ring "canary" {
    select {
      channel = "internal"
    steps = [100]
    bake  = "20m"
  }
}
`, at{3, 5}},
		{"outermost, as HCL says", `rollout "r" {
  ring "canary" {
    steps = [100]
    bake  = "20m"
  }
`, at{1, 13}},
		{"comments and heredocs out of line do not count", `rollout "r" {
# a comment at column 1
  ring "canary" {
    steps = [100]
    bake  = "20m"
    note = <<EOT
text at column 1
EOT
  }
`, at{1, 13}},
		{"untidy but closed inner blocks", `rollout "r" {
  ring "a" {
  steps = [100]
  bake  = "20m"
  }
  ring "b" {
    steps = [100]
    bake  = "1h"
`, at{6, 12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Load(fstest.MapFS{"p.hcl": {Data: []byte(tc.src)}})
			var got []at
			for _, d := range diags {
				if d.Summary == unclosedSummary {
					got = append(got, at{d.Subject.Start.Line, d.Subject.Start.Column})
				}
			}
			if diff := cmp.Diff([]at{tc.want}, got); diff != "" {
				t.Errorf("unclosed block diagnostics (-want +got):\n%s\n%s", diff, diags.Error())
			}
		})
	}
}

// The detail says which line shows it and where HCL saw the open block;
// Format reports the same place as Load.
func TestUnclosedBlockDetail(t *testing.T) {
	src := "rollout \"r\" {\n  ring \"canary\" {\n    steps = [100]\n\n  ring \"broad\" {\n    steps = [100]\n  }\n}\n"
	_, diags := Format([]byte(src), "p.hcl")
	if len(diags) == 0 || diags[0].Summary != unclosedSummary {
		t.Fatalf("Format: %v", diags)
	}
	d := diags[0]
	want := hcl.Range{Filename: "p.hcl", Start: hcl.Pos{Line: 2, Column: 3, Byte: 16}, End: hcl.Pos{Line: 2, Column: 18, Byte: 31}}
	if diff := cmp.Diff(want, *d.Subject); diff != "" {
		t.Errorf("subject (-want +got):\n%s", diff)
	}
	if !strings.Contains(d.Detail, `before line 5, where "ring" starts`) || !strings.Contains(d.Detail, "line 1 unclosed") {
		t.Errorf("detail: %s", d.Detail)
	}
	if d.Context == nil || d.Context.Start.Line != 2 || d.Context.End.Line != 5 {
		t.Errorf("context: %+v", d.Context)
	}
}
