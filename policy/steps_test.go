package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const stepsPolicy = `rollout "appconfig" {
  start_delay = "6m"
  final_bake  = "30m"
  ring "all" {
    steps = { linear = 20 }
    bake  = "6m"
  }
}

rollout "apple" {
  pause_limit = "30d"
  ring "phased" {
    steps = [1, 2, 5, 10, 20, 50, 100]
    bakes = ["1d", "1d", "1d", "1d", "1d", "1d", "1d"]
  }
}

rollout "canary" {
  ring "all" {
    canary_hosts = 10
    steps        = [5, 100]
    bakes        = ["1h", "2h", "3h"]
  }
}

rollout "exp" {
  ring "all" {
    steps = {exponential=10,factor=3}
    bake = "4m"
  }
}
`

// TestStepForms: generators expand to steps, bakes give each step its
// own bake, start_delay and final_bake reach the plan; fmt formats them
// and formatting changes no digest.
func TestStepForms(t *testing.T) {
	p, diags := Load(mapFS(map[string]string{"p.hcl": stepsPolicy}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	type ring struct {
		Steps  []float64
		Bake   time.Duration
		Bakes  []time.Duration
		Canary int
	}
	type plan struct {
		Name             string
		Delay, FinalBake time.Duration
		PauseLimit       time.Duration
		Rings            []ring
	}
	var got []plan
	digests := map[string]string{}
	for _, x := range p.Plans {
		q := plan{Name: x.Name, Delay: x.StartDelay, FinalBake: x.FinalBake, PauseLimit: x.PauseLimit}
		for _, r := range x.Rings {
			q.Rings = append(q.Rings, ring{r.Steps, r.Bake, r.Bakes, r.CanaryHosts})
		}
		got = append(got, q)
		digests[x.Name] = x.Digest()
	}
	day := 24 * time.Hour
	want := []plan{
		{Name: "appconfig", Delay: 6 * time.Minute, FinalBake: 30 * time.Minute, Rings: []ring{{Steps: []float64{20, 40, 60, 80, 100}, Bake: 6 * time.Minute}}},
		{Name: "apple", PauseLimit: 30 * day, Rings: []ring{{Steps: []float64{1, 2, 5, 10, 20, 50, 100}, Bakes: []time.Duration{day, day, day, day, day, day, day}}}},
		{Name: "canary", Rings: []ring{{Steps: []float64{5, 100}, Canary: 10, Bakes: []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}}}},
		{Name: "exp", Rings: []ring{{Steps: []float64{10, 30, 90, 100}, Bake: 4 * time.Minute}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("plans (-want +got):\n%s", d)
	}
	formatted, fd := Format([]byte(stepsPolicy), "p.hcl")
	if fd.HasErrors() {
		t.Fatal(fd)
	}
	if again, _ := Format(formatted, "p.hcl"); string(again) != string(formatted) {
		t.Errorf("Format is not idempotent:\n%s", again)
	}
	if want := "    steps = { exponential = 10, factor = 3 }\n"; !contains(string(formatted), want) {
		t.Errorf("formatted policy lacks %q:\n%s", want, formatted)
	}
	p2, diags := Load(mapFS(map[string]string{"p.hcl": string(formatted)}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, x := range p2.Plans {
		if digests[x.Name] != x.Digest() {
			t.Errorf("formatting changed the digest of %q", x.Name)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

// TestStepFormErrors: every misuse is located on the value, with a
// suggestion for a misspelt generator key.
func TestStepFormErrors(t *testing.T) {
	ring := func(body string) map[string]string {
		return map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n" + body + "  }\n}\n"}
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []diag
	}{
		{"misspelt generator key", ring("    steps = { liner = 20 }\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:15", "Invalid step generator", `Did you mean "linear"?`}}},
		{"factor alone", ring("    steps = { factor = 3 }\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:13", "Invalid steps", "factor alone generates nothing"}}},
		{"both generators", ring("    steps = { linear = 20, exponential = 5 }\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:13", "Invalid steps", "either linear or exponential"}}},
		{"linear out of range", ring("    steps = { linear = 150 }\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:13", "Invalid steps", "inear must be a percentage in (0, 100], got 150"}}},
		{"zero generator", ring("    steps = { linear = 0 }\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:24", "Invalid steps", "linear must be positive"}}},
		{"bakes count", ring("    steps = [10, 100]\n    bakes = [\"1h\"]\n"),
			[]diag{{"p.hcl:4:13", "Invalid bakes", "bakes lists 1 durations for 2 steps"}}},
		{"bad bake element", ring("    steps = [10, 100]\n    bakes = [\"1h\", \"-2h\"]\n"),
			[]diag{{"p.hcl:4:20", "Invalid bakes", "Bake 2 must be a positive duration"}}},
		{"unparsable bake element", ring("    steps = [10, 100]\n    bakes = [\"1h\", \"soon\"]\n"),
			[]diag{{"p.hcl:4:20", "Invalid duration", ""}}},
		{"bake and bakes", ring("    steps = [10, 100]\n    bake = \"1h\"\n    bakes = [\"1h\", \"2h\"]\n"),
			[]diag{{"p.hcl:5:13", "Invalid bakes", "ake and bakes are both given"}}},
		{"no bake", ring("    steps = [10, 100]\n"),
			[]diag{{"p.hcl:2:12", "Missing required argument", `"bake" is required (or "bakes"`}}},
		{"zero canary", ring("    canary_hosts = 0\n    steps = [10, 100]\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:20", "Invalid canary_hosts", "must be a positive number of hosts, got 0"}}},
		{"negative canary", ring("    canary_hosts = -3\n    steps = [10, 100]\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:20", "Invalid canary_hosts", "must be a positive number of hosts, got -3"}}},
		{"fractional canary", ring("    canary_hosts = 2.5\n    steps = [10, 100]\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:20", "Invalid value", "must be a whole number, got 2.5"}}},
		{"misspelt canary_hosts", ring("    canary_host = 3\n    steps = [10, 100]\n    bake = \"1h\"\n"),
			[]diag{{"p.hcl:3:5", "Unsupported argument", `Did you mean "canary_hosts"?`}}},
		{"approve step 1", ring("    steps = [10, 100]\n    bake = \"1h\"\n    approve_steps = [1]\n"),
			[]diag{{"p.hcl:5:22", "Invalid approve_steps", "names step 1"}}},
		{"fractional approve step", ring("    steps = [10, 100]\n    bake = \"1h\"\n    approve_steps = [1.5]\n"),
			[]diag{{"p.hcl:5:22", "Invalid approve_steps", "1.5 is not a whole number"}}},
		{"misspelt approve_steps", ring("    steps = [10, 100]\n    bake = \"1h\"\n    approve_step = [2]\n"),
			[]diag{{"p.hcl:5:5", "Unsupported argument", `Did you mean "approve_steps"?`}}},
		{"misspelt bakes", ring("    steps = [10, 100]\n    bake = \"1h\"\n    bakess = [\"1h\"]\n"),
			[]diag{{"p.hcl:5:5", "Unsupported argument", `Did you mean "bakes"?`}}},
		{"negative start_delay", map[string]string{"p.hcl": "rollout \"r\" {\n  start_delay = \"-1h\"\n" + validRing + "}\n"},
			[]diag{{"p.hcl:2:17", "Invalid start_delay", "start_delay must not be negative"}}},
		{"zero final_bake", map[string]string{"p.hcl": "rollout \"r\" {\n  final_bake = \"0s\"\n" + validRing + "}\n"},
			[]diag{{"p.hcl:2:16", "Invalid final_bake", "final_bake must be a positive duration"}}},
		{"zero pause_limit", map[string]string{"p.hcl": "rollout \"r\" {\n  pause_limit = \"0s\"\n" + validRing + "}\n"},
			[]diag{{"p.hcl:2:17", "Invalid pause_limit", "pause_limit must be a positive duration"}}},
		{"negative pause_limit", map[string]string{"p.hcl": "rollout \"r\" {\n  pause_limit = \"-30d\"\n" + validRing + "}\n"},
			[]diag{{"p.hcl:2:17", "Invalid pause_limit", "pause_limit must not be negative"}}},
		{"misspelt final_bake", map[string]string{"p.hcl": "rollout \"r\" {\n  final_bak = \"1h\"\n" + validRing + "}\n"},
			[]diag{{"p.hcl:2:3", "Unsupported argument", `Did you mean "final_bake"?`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Load(mapFS(tc.files))
			if d := cmp.Diff(tc.want, summarize(diags, tc.want)); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall: %v", d, diags)
			}
		})
	}
}
