package policy

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMatchRule(t *testing.T) {
	src := func(rollouts string) fstest.MapFS { return fstest.MapFS{"p.hcl": {Data: []byte(rollouts)}} }
	ring := "ring \"all\" {\n steps = [100]\n bake = \"1h\"\n}\n"
	two, d := Load(src("rollout \"content\" {\napplies_to = [\"content\", \"config\"]\n" + ring + "}\nrollout \"any\" {\n" + ring + "}\n"))
	if d.HasErrors() {
		t.Fatal(d)
	}
	one, d := Load(src("rollout \"only\" {\n" + ring + "}\n"))
	if d.HasErrors() {
		t.Fatal(d)
	}
	type got struct {
		Plan, Note string
		Rule       Rule
	}
	for _, tc := range []struct {
		p          *Policy
		kind, name string
		want       got
	}{
		{two, "content", "", got{Plan: "content", Rule: ByKind}},
		{two, "", "any", got{Plan: "any", Rule: ByName}},
		{two, "content", "content", got{Plan: "content", Rule: ByName}},
		{two, "sensor", "", got{Plan: "any", Rule: ByDefault, Note: `no rollout lists kind "sensor" in applies_to, so rollout "any", which applies to every kind, was picked`}},
		{two, "confg", "", got{Plan: "any", Rule: ByDefault, Note: `no rollout lists kind "confg" in applies_to, so rollout "any", which applies to every kind, was picked (did you mean kind "config"?)`}},
		{one, "", "", got{Plan: "only", Rule: BySingle}},
		{one, "content", "", got{Plan: "only", Rule: ByDefault}}, // no rollout routes by kind: nothing to say
	} {
		m, err := tc.p.Match(tc.kind, tc.name)
		if err != nil {
			t.Errorf("Match(%q, %q): %v", tc.kind, tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got{Plan: m.Plan.Name, Note: m.Note, Rule: m.Rule}); diff != "" {
			t.Errorf("Match(%q, %q) (-want +got):\n%s", tc.kind, tc.name, diff)
		}
		if pl, err := tc.p.Select(tc.kind, tc.name); err != nil || pl != m.Plan {
			t.Errorf("Select(%q, %q) = %v, %v; Match picked %s", tc.kind, tc.name, pl, err, m.Plan.Name)
		}
	}
	if got := Rule(0).String(); got != "Rule(0)" {
		t.Errorf("Rule(0) = %q", got)
	}
}
