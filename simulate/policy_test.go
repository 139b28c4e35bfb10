package simulate

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
)

const canary = "CANARY-7f3a9"

// TestLoadPolicyConfined: a scenario's policy resolves inside the root the
// caller names; nothing outside it is read, and no diagnostic shows a byte
// of a file outside it or of a file that is not a policy file.
func TestLoadPolicyConfined(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "scenarios", "s")
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	policySrc := "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n}\n"
	write(filepath.Join(dir, "p.hcl"), policySrc)
	write(filepath.Join(top, "shared.hcl"), policySrc)
	write(filepath.Join(dir, "env.txt"), canary+"=1\n")
	secret := filepath.Join(t.TempDir(), "secret.hcl")
	write(secret, canary+" {\n")
	if err := os.Symlink(secret, filepath.Join(dir, "link.hcl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "linkdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "linkdir", "a.hcl")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RINGWISE_TEST_CANARY", canary)

	for _, tc := range []struct {
		policy string
		wide   bool // root is top rather than the scenario's directory
		want   []string
	}{
		{policy: "p.hcl"},
		{policy: "./p.hcl"},
		{policy: "../../shared.hcl", wide: true},
		{policy: "../s/p.hcl", wide: true},
		{policy: "../../shared.hcl", want: []string{"s.hcl:2:13 Cannot read policy | leads outside"}},
		{policy: "../../../../../../../../proc/self/environ", want: []string{"s.hcl:2:13 Cannot read policy | leads outside"}},
		{policy: "../../../../../../../../etc/passwd", wide: true, want: []string{"s.hcl:2:13 Cannot read policy | leads outside"}},
		{policy: "link.hcl", want: []string{"s.hcl:2:13 Cannot read policy | leads outside"}},
		{policy: "env.txt", want: []string{"s.hcl:2:13 Cannot read policy | not a policy file"}},
		{policy: "missing.hcl", want: []string{"s.hcl:2:13 Cannot read policy | does not exist"}},
		{policy: "linkdir", want: []string{"LINKDIR:1:1 Cannot read file | leads outside the directory"}},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			src := edit(`policy  = "p.hcl"`, `policy  = "`+tc.policy+`"`)
			sc, files, diags := ParseScenario([]byte(src), "s.hcl")
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			rootDir, rel := dir, "."
			if tc.wide {
				rootDir, rel = top, filepath.Join("scenarios", "s")
			}
			root, err := os.OpenRoot(rootDir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			pol, diags := LoadPolicy(root, rel, sc)
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = strings.ReplaceAll(w, "LINKDIR", filepath.Join(dir, "linkdir", "a.hcl"))
			}
			if diff := cmp.Diff(want, brief(diags, want), cmpEmpty); diff != "" {
				t.Errorf("(-want +got):\n%s\nall: %v", diff, diags)
			}
			if len(want) == 0 && len(pol.Plans) != 1 {
				t.Errorf("got %d plans, want 1", len(pol.Plans))
			}
			all := map[string]*hcl.File{"s.hcl": files}
			maps.Copy(all, pol.Files)
			var b bytes.Buffer
			policy.WriteDiagnostics(&b, all, diags)
			if strings.Contains(b.String(), canary) {
				t.Errorf("diagnostics show a byte of a file outside:\n%s", b.String())
			}
		})
	}
}

func TestParseScenarioAbsolutePolicy(t *testing.T) {
	for _, p := range []string{"/etc/passwd", "/proc/self/environ"} {
		_, _, diags := ParseScenario([]byte(edit(`policy  = "p.hcl"`, `policy  = "`+p+`"`)), "s.hcl")
		want := []string{"s.hcl:2:13 Invalid policy | is absolute"}
		if diff := cmp.Diff(want, brief(diags, want)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", p, diff)
		}
	}
}

// TestSelectPlanLocated: a scenario whose kind matches no rollout gets an
// error at its kind attribute (at its rollout attribute when it names one).
func TestSelectPlanLocated(t *testing.T) {
	pol, diags := policy.Load(mapPolicy("rollout \"sensor\" {\n  applies_to = [\"sensor\"]\n  ring \"a\" {\n    steps = [100]\n    bake  = \"1h\"\n  }\n}\n"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{goodScenario, []string{`s.hcl:12:15 No rollout for the update | no rollout applies to kind "content" (rollouts: sensor [sensor])`}},
		{edit(`policy  = "p.hcl"`, `policy  = "p.hcl"`+"\n  rollout = \"sensr\""), []string{`s.hcl:3:13 No rollout for the update | no rollout named "sensr" (rollouts: sensor [sensor]). Did you mean "sensor"?`}},
		{edit(`kind    = "content"`, `kind    = "sensor"`+"\n    urgency = \"emergncy\""), []string{`s.hcl:13:15 Unknown urgency | Rollout "sensor" defines no urgency "emergncy". An update's urgency is "routine" or one of the rollout's urgency blocks: routine.`}},
	} {
		sc, _, diags := ParseScenario([]byte(tc.src), "s.hcl")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		plan, diags := SelectPlan(pol, sc)
		if plan != nil {
			t.Error("a plan")
		}
		if diff := cmp.Diff(tc.want, brief(diags, tc.want)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}
