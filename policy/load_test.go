package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

// diag is the part of a diagnostic the tests compare.
type diag struct {
	Pos     string // FILE:LINE:COL of the subject
	Summary string
	Detail  string // a substring of the detail
}

func summarize(ds hcl.Diagnostics, details []diag) []diag {
	out := make([]diag, 0, len(ds))
	for i, d := range ds {
		pos := "-"
		if d.Subject != nil {
			pos = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		got := diag{Pos: pos, Summary: d.Summary}
		// Keep the detail only when the wanted one is a substring of it, so
		// that tests state the words that matter, not the whole sentence.
		if i < len(details) && details[i].Detail != "" && strings.Contains(d.Detail, details[i].Detail) {
			got.Detail = details[i].Detail
		} else if i < len(details) && details[i].Detail != "" {
			got.Detail = d.Detail
		}
		out = append(out, got)
	}
	return out
}

const validRing = `
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
`

// wrap puts body inside rollout "r" after a valid ring.
func wrap(body string) string {
	return "rollout \"r\" {" + validRing + body + "}\n"
}

// badCases are policies that must not load, with the diagnostics they give.
// They also seed FuzzLoad.
var badCases = []struct {
	name  string
	files map[string]string
	want  []diag
}{
	{
		name:  "unknown block",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  rnig \"a\" {\n  }\n}\n"},
		want: []diag{
			{"p.hcl:2:3", "Unsupported block type", `Did you mean "ring"?`},
		},
	},
	{
		name:  "unknown top-level block",
		files: map[string]string{"p.hcl": "rollouts \"r\" {\n}\n"},
		want:  []diag{{"p.hcl:1:1", "Unsupported block type", `Did you mean "rollout"?`}},
	},
	{
		name:  "unknown attribute",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake = \"1h\"\n    tennant_cap = 5\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:5", "Unsupported argument", `Did you mean "tenant_cap"?`}},
	},
	{
		name:  "duplicate ring",
		files: map[string]string{"p.hcl": wrap("  ring \"all\" {\n    steps = [100]\n    bake = \"1h\"\n  }\n")},
		want:  []diag{{"p.hcl:6:8", "Duplicate ring name", `already defined at p.hcl:2:3`}},
	},
	{
		name: "duplicate trigger",
		files: map[string]string{"p.hcl": wrap(`  trigger "t" {
    signal = "crash"
    above = 0.1
    action = "halt"
  }
  trigger "t" {
    signal = "crash"
    above = 0.2
    action = "halt"
  }
`)},
		want: []diag{{"p.hcl:11:11", "Duplicate trigger name", `A trigger named "t"`}},
	},
	{
		name: "duplicate rollout across files",
		files: map[string]string{
			"a.hcl": wrap(""),
			"b.hcl": wrap(""),
		},
		want: []diag{{"b.hcl:1:9", "Duplicate rollout name", "already defined at a.hcl:1:1"}},
	},
	{
		name:  "rollout without rings",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  applies_to = [\"content\"]\n}\n"},
		want:  []diag{{"p.hcl:1:1", "Missing ring", "needs at least one ring"}},
	},
	{
		name:  "duplicate tenant",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n}\ntenant \"t\" {\n}\n"},
		want:  []diag{{"p.hcl:3:8", "Duplicate tenant name", ""}},
	},
	{
		name:  "steps not increasing",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [1, 50, 10, 100]\n    bake  = \"1h\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:3:21", "Invalid steps", "strictly increasing: 10 follows 50"}},
	},
	{
		name:  "step outside range",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [0, 150]\n    bake  = \"1h\"\n  }\n}\n"},
		want: []diag{
			{"p.hcl:3:14", "Invalid steps", "Step 0 is outside (0, 100]"},
			{"p.hcl:3:17", "Invalid steps", "Step 150 is outside (0, 100]"},
		},
	},
	{
		name:  "steps not ending at 100",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [1, 10, 50]\n    bake  = \"1h\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:3:21", "Invalid steps", "must be 100"}},
	},
	{
		name:  "steps wrong type",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = \"ten\"\n    bake  = \"1h\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:3:13", "Incorrect attribute value type", "list of number required"}},
	},
	{
		name:  "zero bake",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"0s\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Invalid bake", "positive"}},
	},
	{
		name:  "negative bake",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"-2d\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Invalid bake", "got -48h0m0s"}},
	},
	{
		name:  "bad duration",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"soon\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Invalid duration", `invalid duration "soon"`}},
	},
	{
		name:  "tenant cap out of range",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"1h\"\n    tenant_cap = 150\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:18", "Invalid tenant_cap", "(0, 100], got 150"}},
	},
	{
		name:  "tenant cap zero",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"1h\"\n    tenant_cap = 0\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:18", "Invalid tenant_cap", "got 0"}},
	},
	{
		name:  "urgency bake scale",
		files: map[string]string{"p.hcl": wrap("  urgency \"e\" {\n    bake_scale = 2\n  }\n")},
		want:  []diag{{"p.hcl:7:18", "Invalid bake_scale", "(0, 1]"}},
	},
	{
		name: "alpha out of range",
		files: map[string]string{"p.hcl": wrap(`  trigger "s" {
    signal = "crash"
    test   = "sprt"
    rate   = 0.001
    ratio  = 2
    alpha  = 0.5
    action = "rollback"
  }
`)},
		want: []diag{{"p.hcl:11:14", "Invalid alpha", "(0, 0.5), got 0.5"}},
	},
	{
		name: "conflicting trigger forms",
		files: map[string]string{"p.hcl": wrap(`  trigger "t" {
    signal  = "crash"
    above   = 0.1
    against = "baseline"
    action  = "halt"
  }
`)},
		want: []diag{{"p.hcl:9:5", "Conflicting trigger forms", `sets "above" or "against", not both`}},
	},
	{
		name: "trigger attribute of another form",
		files: map[string]string{"p.hcl": wrap(`  trigger "t" {
    signal = "crash"
    above  = 0.1
    alpha  = 0.01
    action = "halt"
  }
`)},
		want: []diag{{"p.hcl:9:5", "Unexpected attribute", `"alpha" is not used by an absolute trigger`}},
	},
	{
		name: "baseline trigger without ratio",
		files: map[string]string{"p.hcl": wrap(`  trigger "t" {
    signal  = "crash"
    against = "baseline"
    action  = "halt"
  }
`)},
		want: []diag{{"p.hcl:6:3", "Missing required argument", `"ratio" is required by a baseline trigger`}},
	},
	{
		name: "baseline silence trigger with a ratio of 1",
		files: map[string]string{"p.hcl": wrap(`  trigger "went-quiet" {
    signal  = "silent"
    against = "baseline"
    ratio   = 1
    action  = "halt"
  }
`)},
		want: []diag{{"p.hcl:9:15", "Invalid ratio", "greater than 1, got 1"}},
	},
	{
		name: "baseline silence trigger without ratio",
		files: map[string]string{"p.hcl": wrap(`  trigger "went-quiet" {
    signal  = "silent"
    against = "baseline"
    action  = "halt"
  }
`)},
		want: []diag{{"p.hcl:6:3", "Missing required argument", `"ratio" is required by a baseline silence trigger`}},
	},
	{
		name: "baseline silence trigger with a rate",
		files: map[string]string{"p.hcl": wrap(`  trigger "went-quiet" {
    signal  = "silent"
    against = "baseline"
    ratio   = 3
    rate    = 0.01
    action  = "halt"
  }
`)},
		want: []diag{{"p.hcl:10:5", "Unexpected attribute", `"rate" is not used by a baseline silence trigger`}},
	},
	{
		name: "silence trigger as a sequential test",
		files: map[string]string{"p.hcl": wrap(`  trigger "went-quiet" {
    signal = "silent"
    test   = "sprt"
    rate   = 0.01
    ratio  = 2
    alpha  = 0.01
    action = "halt"
  }
`)},
		want: []diag{{"p.hcl:7:14", "Conflicting trigger forms", `or against = "baseline" with ratio`}},
	},
	{
		name: "trigger without a form",
		files: map[string]string{"p.hcl": wrap(`  trigger "t" {
    signal = "crash"
    action = "halt"
  }
`)},
		want: []diag{{"p.hcl:6:3", "Incomplete trigger", "needs one of above"}},
	},
	{
		name: "bad action",
		files: map[string]string{"p.hcl": wrap(`  trigger "t" {
    signal = "crash"
    above  = 0.1
    action = "panic"
  }
`)},
		want: []diag{{"p.hcl:9:14", "Invalid action", `"halt" or "rollback", got "panic"`}},
	},
	{
		name: "blackout ends before it starts",
		files: map[string]string{"p.hcl": wrap(`  blackout "b" {
    from = "2027-01-04T00:00:00Z"
    to   = "2026-12-20T00:00:00Z"
  }
`)},
		want: []diag{{"p.hcl:8:12", "Invalid to", "ends (2026-12-20T00:00:00Z) before it starts"}},
	},
	{
		name: "blackout bad time",
		files: map[string]string{"p.hcl": wrap(`  blackout "b" {
    from = "20 December"
    to   = "2026-12-20T00:00:00Z"
  }
`)},
		want: []diag{{"p.hcl:7:12", "Invalid time", "RFC 3339"}},
	},
	{
		name:  "unknown time zone",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n  maintenance {\n    start = \"01:00\"\n    hours = 2\n    zone  = \"Europe/Londn\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:13", "Unknown time zone", `"Europe/Londn" is not a known IANA time zone`}},
	},
	{
		name:  "local time zone",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n  maintenance {\n    start = \"01:00\"\n    hours = 2\n    zone  = \"Local\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:5:13", "Unknown time zone", "depends on the machine"}},
	},
	{
		name:  "unknown weekday",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n  maintenance {\n    days  = [\"sat\", \"sonday\"]\n    start = \"01:00\"\n    hours = 2\n    zone  = \"UTC\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:3:13", "Unknown weekday", `"sonday" is not a weekday`}},
	},
	{
		name:  "bad start time",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n  maintenance {\n    start = \"25:00\"\n    hours = 2\n    zone  = \"UTC\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:3:13", "Invalid start", "HH:MM"}},
	},
	{
		name:  "window of zero hours",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n  maintenance {\n    start = \"01:00\"\n    hours = 0\n    zone  = \"UTC\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Invalid hours", "never opens"}},
	},
	{
		name:  "window ending before it starts",
		files: map[string]string{"p.hcl": "tenant \"t\" {\n  maintenance {\n    start = \"01:00\"\n    hours = -3\n    zone  = \"UTC\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Invalid hours", "end before it starts"}},
	},
	{
		name:  "invalid UTF-8",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  # caf\xe9\n}\n"},
		want:  []diag{{"p.hcl:2:8", "Invalid UTF-8", "not valid UTF-8"}},
	},
	{
		name:  "empty directory",
		files: map[string]string{"README.md": "no policy here"},
		want:  []diag{{"-", "No policy files", "no .hcl or .hcl.json files"}},
	},
	{
		name:  "unknown function",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = file(\"/etc/passwd\")\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Function call not allowed", "There are no functions"}},
	},
	{
		name:  "variable reference",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = var.bake\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Reference not allowed", ""}},
	},
	{
		name: "exempt names no urgency",
		files: map[string]string{"p.hcl": wrap(`  urgency "emergency" {
    bake_scale = 0.1
  }
  blackout "b" {
    from   = "2026-12-20T00:00:00Z"
    to     = "2027-01-04T00:00:00Z"
    exempt = ["routine", "emergncy"]
  }
`)},
		want: []diag{{"p.hcl:12:26", "Unknown urgency", `exempt names urgency "emergncy", which is not defined. Did you mean "emergency"?`}},
	},
	{
		name:  "signal neither built in nor declared",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal = \"crsh\"\n    above  = 0.1\n    action = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:7:14", "Unknown signal", `signal names signal "crsh", which is not defined. Did you mean "crash"?`}},
	},
	{
		name: "signal declared in another file; a misspelt one",
		files: map[string]string{
			"a.hcl": wrap("  trigger \"t\" {\n    signal = \"cpu\"\n    above  = 0.1\n    action = \"halt\"\n  }\n  trigger \"u\" {\n    signal = \"cpus\"\n    above  = 0.1\n    action = \"halt\"\n  }\n"),
			"b.hcl": "signal \"cpu\" {\n  description = \"CPU saturation events\"\n}\n",
		},
		want: []diag{{"a.hcl:12:14", "Unknown signal", `Did you mean "cpu"?`}},
	},
	{
		name:  "built-in signal declared",
		files: map[string]string{"p.hcl": wrap("") + "signal \"crash\" {}\n"},
		want:  []diag{{"p.hcl:7:8", "Invalid signal", "is built in"}},
	},
	{
		// Issue 7: these said "must be a whole number", "write a number
		// and a unit" and "too large".
		name: "out of range, each with its own message",
		files: map[string]string{"p.hcl": `rollout "r" {
  ring "a" {
    steps = [-1e309, 100]
    bake  = "99999999999h"
  }
  trigger "t" {
    signal    = "crash"
    above     = 0.1
    min_count = 10000000000
    action    = "halt"
  }
}
`},
		want: []diag{
			{"p.hcl:3:14", "Number out of range", "is out of range: numbers must be within ±1.798e+308"},
			{"p.hcl:4:13", "Invalid duration", `duration "99999999999h" is too long: the longest a duration can be is 2562047h0m0s`},
			{"p.hcl:9:17", "Number out of range", `The value of "min_count" is 1e+10; whole numbers must be within ±2147483647`},
		},
	},
	{
		name:  "days too long",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"200000d\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:13", "Invalid duration", `duration "200000d" is too long: at most 100000d`}},
	},
	{
		// Issue 7: passed check, then plan exited 2.
		name:  "empty file",
		files: map[string]string{"empty.hcl": ""},
		want:  []diag{{"empty.hcl:1:1", "No rollout", "The policy (empty.hcl) defines no rollout block"}},
	},
	{
		name:  "tenants only",
		files: map[string]string{"t.hcl": "tenant \"x\" {\n  defer = \"1h\"\n}\n", "u.hcl.json": "{}"},
		want:  []diag{{"t.hcl:1:1", "No rollout", "The policy (t.hcl, u.hcl.json) defines no rollout block"}},
	},
	{
		// Issue 9: ranges are rollout.Compile's, placed on each value, and
		// reported in the same pass as the decoder's type errors.
		name: "every range in one pass, with a type error",
		files: map[string]string{"p.hcl": `rollout "r" {
  ring "a" {
    steps       = [100]
    bake        = "-1h"
    tenant_cap  = 150
    min_healthy = 2
    approval    = "yes"
  }
  trigger "t" {
    signal    = "crash"
    above     = 2
    min_count = -1
    action    = "halt"
  }
  trigger "s" {
    signal = "crash"
    test   = "sprt"
    rate   = -1
    ratio  = 0.5
    alpha  = 0.7
    action = "halt"
  }
  urgency "e" {
    bake_scale = 2
  }
}
tenant "x" {
  defer = "-1h"
  maintenance {
    start = "01:00"
    hours = 200
    zone  = "Mars/Base"
  }
}
`},
		want: []diag{
			{"p.hcl:4:19", "Invalid bake", "bake must be a positive duration, got -1h0m0s"},
			{"p.hcl:5:19", "Invalid tenant_cap", "tenant_cap must be a percentage in (0, 100], got 150."},
			{"p.hcl:6:19", "Invalid min_healthy", "min_healthy must be a share in (0, 1], got 2."},
			{"p.hcl:7:19", "Incorrect attribute value type", "bool required"},
			{"p.hcl:11:17", "Invalid above", "above must be a rate in (0, 1), events per updated host, got 2."},
			{"p.hcl:12:17", "Invalid min_count", "min_count must not be negative, got -1."},
			{"p.hcl:18:14", "Invalid rate", "rate must be a positive number of events per host-hour, got -1."},
			{"p.hcl:19:14", "Invalid ratio", "ratio must be greater than 1, got 0.5."},
			{"p.hcl:20:14", "Invalid alpha", "alpha, the false-alarm bound, must be in (0, 0.5), got 0.7."},
			{"p.hcl:24:18", "Invalid bake_scale", "bake_scale must be in (0, 1]: an urgency may shorten bakes, never lengthen or skip them; got 2."},
			{"p.hcl:28:11", "Invalid defer", "defer must not be negative, got -1h0m0s."},
			{"p.hcl:31:13", "Invalid hours", "A window may last at most 168 hours (a week), got 200h0m0s."},
			{"p.hcl:32:13", "Unknown time zone", ""},
		},
	},
	{
		name:  "bare word",
		files: map[string]string{"p.hcl": wrap("  trigger \"t\" {\n    signal = crash\n    above  = 0.1\n    action = \"halt\"\n  }\n")},
		want:  []diag{{"p.hcl:7:14", "Reference not allowed", `a string needs quotes, such as "crash"`}},
	},
	{
		// The bomb of issue 7: evaluated, it grows without end; checked
		// on the syntax tree it costs nothing.
		name:  "for expression",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [for a in [1, 2] : [for b in [1, 2] : [for c in [1, 2] : 0]]]\n    bake  = \"1h\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:3:13", "For expression not allowed", "write the list or object out"}},
	},
	{
		name:  "template directive",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100]\n    bake  = \"%{for x in [1]}1%{endfor}h\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:14", "Template not allowed", "write the plain string"}},
	},
	{
		name:  "arithmetic and conditional, every one reported",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [50 * 2]\n    bake  = true ? \"1h\" : \"2h\"\n  }\n}\n"},
		want: []diag{
			{"p.hcl:3:14", "Operator not allowed", "write the resulting value"},
			{"p.hcl:4:13", "Conditional not allowed", "write the value you mean"},
		},
	},
	{
		name:  "JSON template",
		files: map[string]string{"p.hcl.json": `{"rollout": {"r": {"ring": {"a": {"steps": [100], "bake": "${[for a in [1] : a]}"}}}}}`},
		want:  []diag{{"p.hcl.json:1:59", "Template not allowed", "HCL would evaluate as a template"}},
	},
	{
		name:  "syntax error",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    steps = [100\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:3", "Missing item separator", ""}},
	},
	{
		name:  "gate without loader",
		files: map[string]string{"p.hcl": wrap("  gate \"freeze\" {\n    rego = \"gates/freeze.rego\"\n  }\n")},
		want:  []diag{{"p.hcl:6:3", "Gates need a GateLoader", "rego.NewLoader()"}},
	},
	{
		name:  "empty selector",
		files: map[string]string{"p.hcl": "rollout \"r\" {\n  ring \"a\" {\n    select {\n      os = []\n    }\n    steps = [100]\n    bake  = \"1h\"\n  }\n}\n"},
		want:  []diag{{"p.hcl:4:12", "Invalid selector", "lists no values"}},
	},
	{
		name:  "json: unknown attribute",
		files: map[string]string{"p.hcl.json": `{"rollout": {"r": {"ring": {"a": {"steps": [100], "bake": "1h", "bak": "2h"}}}}}`},
		want:  []diag{{"p.hcl.json:1:65", "Extraneous JSON object property", `Did you mean "bakes"?`}},
	},
	{
		// Caught by rollout.Compile, reported at the ring's range.
		name:  "json: empty selector label",
		files: map[string]string{"p.hcl.json": `{"rollout": {"r": {"ring": {"a": {"select": {"": "x"}, "steps": [100], "bake": "1h"}}}}}`},
		want:  []diag{{"p.hcl.json:1:34", "Invalid ring", `ring "a": selector with an empty label name.`}},
	},
	{
		name:  "json: steps not increasing",
		files: map[string]string{"p.hcl.json": `{"rollout": {"r": {"ring": {"a": {"steps": [50, 10, 100], "bake": "1h"}}}}}`},
		want:  []diag{{"p.hcl.json:1:49", "Invalid steps", "10 follows 50"}},
	},
}

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			p, diags := Load(mapFS(tc.files))
			if p == nil {
				t.Fatal("Load returned a nil Policy")
			}
			if !diags.HasErrors() {
				t.Fatalf("Load succeeded, want errors")
			}
			if diff := cmp.Diff(tc.want, summarize(diags, tc.want)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall: %v", diff, diags)
			}
			for _, d := range diags {
				if d.Subject == nil && tc.name != "empty directory" {
					t.Errorf("diagnostic without a subject: %v", d)
				}
			}
		})
	}
}

// TestSilenceBaselineTrigger: signal = "silent" with against = "baseline"
// is a rollout.SilenceBaseline trigger whose Threshold is the ratio.
func TestSilenceBaselineTrigger(t *testing.T) {
	p, diags := Load(mapFS(map[string]string{"p.hcl": wrap(`  trigger "went-quiet" {
    signal    = "silent"
    against   = "baseline"
    ratio     = 3
    min_count = 10
    action    = "halt"
  }
`)}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []rollout.Trigger{{
		Name: "went-quiet", Kind: rollout.SilenceBaseline, Signal: SilentSignal, Threshold: 3, MinCount: 10,
		Action: rollout.Halt, Src: rollout.Source{File: "p.hcl", Line: 6, Column: 3},
	}}
	if diff := cmp.Diff(want, p.Plans[0].Triggers); diff != "" {
		t.Errorf("triggers (-want +got):\n%s", diff)
	}
}

func TestLoadOversizedFile(t *testing.T) {
	src := wrap("") + "# " + strings.Repeat("x", 100) + "\n"
	_, diags := Load(mapFS(map[string]string{"big.hcl": src}), WithMaxFileSize(64))
	want := []diag{{"big.hcl:1:1", "File too large", "at most 64 bytes"}}
	if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, diags := Load(mapFS(map[string]string{"big.hcl": src})); diags.HasErrors() {
		t.Errorf("with the default limit: %v", diags)
	}
}

// TestLoadExamplesDirectory checks that every policy file in
// examples/policies loads together, as one policy.
func TestLoadExamples(t *testing.T) {
	p, diags := Load(exampleFS(t))
	if diags.HasErrors() {
		t.Fatalf("examples do not load: %v", diags)
	}
	var names []string
	for _, pl := range p.Plans {
		names = append(names, pl.Name)
		if len(pl.Tenants) != len(p.Tenants) {
			t.Errorf("plan %s has %d tenants, want %d", pl.Name, len(pl.Tenants), len(p.Tenants))
		}
	}
	if diff := cmp.Diff([]string{"content", "sensor"}, names); diff != "" {
		t.Errorf("plans (-want +got):\n%s", diff)
	}
	for kind, want := range map[string]string{"content": "content", "sensor": "sensor"} {
		pl, err := p.Select(kind, "")
		if err != nil || pl.Name != want {
			t.Errorf("Select(%q) = %v, %v; want %s", kind, pl, err, want)
		}
	}
	if _, err := p.Select("config", ""); err == nil {
		t.Errorf("Select(config) succeeded; no rollout applies to config")
	}

	content, _ := p.Plan("content")
	wantRings := []rollout.Ring{
		{
			Name:   "canary",
			Select: rollout.Selector{{Key: "channel", Values: []string{"internal"}}},
			Steps:  []float64{100}, Bake: 30 * time.Minute, Cover: []string{"os_build", "arch"},
			Src: rollout.Source{File: "content.hcl", Line: 8, Column: 3},
		},
		{
			Name: "broad", Steps: []float64{1, 10, 50, 100}, Bake: 2 * time.Hour, TenantCap: 50,
			Src: rollout.Source{File: "content.hcl", Line: 17, Column: 3},
		},
	}
	if diff := cmp.Diff(wantRings, content.Rings); diff != "" {
		t.Errorf("content rings (-want +got):\n%s", diff)
	}
	var kinds []rollout.TriggerKind
	for _, tr := range content.Triggers {
		kinds = append(kinds, tr.Kind)
	}
	if diff := cmp.Diff([]rollout.TriggerKind{rollout.Baseline, rollout.Sequential, rollout.SilenceBaseline}, kinds); diff != "" {
		t.Errorf("content trigger kinds (-want +got):\n%s", diff)
	}

	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	hospital := p.Tenants[0]
	wantWindow := []rollout.Window{{
		Days: []time.Weekday{time.Saturday, time.Sunday}, Start: 23 * time.Hour, Length: 4 * time.Hour,
		Zone: london, Src: rollout.Source{File: "tenants.hcl", Line: 11, Column: 3},
	}}
	if diff := cmp.Diff(wantWindow, hospital.Maintenance, cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })); diff != "" {
		t.Errorf("hospital maintenance (-want +got):\n%s", diff)
	}
	if hospital.Defer != 48*time.Hour {
		t.Errorf("hospital defer = %s, want 48h", hospital.Defer)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	for name, f := range exampleFS(t) {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	byDir, diags := LoadPaths([]string{dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ex := "../examples/policies"
	byFile, diags := LoadPaths([]string{ex + "/content.hcl", ex + "/tenants.hcl", ex + "/content.hcl"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a, _ := byDir.Plan("content")
	b, _ := byFile.Plan("content")
	if a.Digest() != b.Digest() {
		t.Errorf("digest by directory %s != by file %s", a.Digest(), b.Digest())
	}
	if got, want := a.Src.File, filepath.Join(dir, "content.hcl"); got != want {
		t.Errorf("Src.File = %q, want %q", got, want)
	}
	if got, want := b.Src.File, ex+"/content.hcl"; got != want {
		t.Errorf("Src.File = %q, want %q", got, want)
	}
	if _, diags := LoadPaths(nil); !diags.HasErrors() {
		t.Error("LoadPaths(nil) succeeded")
	}
	if _, diags := LoadPaths([]string{"testdata/does-not-exist"}); !diags.HasErrors() {
		t.Error("LoadPaths(missing) succeeded")
	}
	if _, diags := LoadPaths([]string{t.TempDir()}); !diags.HasErrors() {
		t.Error("LoadPaths(empty directory) succeeded")
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30m": 30 * time.Minute, "2h": 2 * time.Hour, "1h30m": 90 * time.Minute,
		"2d": 48 * time.Hour, "1d12h": 36 * time.Hour, "1.5d": 36 * time.Hour, "-1d": -24 * time.Hour,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "2", "2dd", "1d-2h", "soon", "99999999d", "1d+1h"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}

// TestJSONForm checks that the JSON form of a policy compiles to the same
// plan as the native form.
func TestJSONForm(t *testing.T) {
	native := `rollout "r" {
  applies_to = ["content"]
  ring "canary" {
    select {
      channel = "internal"
    }
    steps = [100]
    bake  = "30m"
  }
  ring "broad" {
    steps      = [1, 10, 100]
    bake       = "2h"
    tenant_cap = 50
  }
  trigger "t" {
    signal = "crash"
    above  = 0.01
    action = "halt"
  }
}
tenant "h" {
  defer = "2d"
  maintenance {
    start = "23:00"
    hours = 4
    zone  = "UTC"
  }
}
`
	json := `{
  "rollout": {"r": {
    "applies_to": ["content"],
    "ring": {
      "canary": {"select": {"channel": "internal"}, "steps": [100], "bake": "30m"},
      "broad": {"steps": [1, 10, 100], "bake": "2h", "tenant_cap": 50}
    },
    "trigger": {"t": {"signal": "crash", "above": 0.01, "action": "halt"}}
  }},
  "tenant": {"h": {"defer": "2d", "maintenance": {"start": "23:00", "hours": 4, "zone": "UTC"}}}
}`
	a, diags := Load(mapFS(map[string]string{"p.hcl": native}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	b, diags := Load(mapFS(map[string]string{"p.hcl.json": json}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if a.Plans[0].Digest() != b.Plans[0].Digest() {
		t.Errorf("digests differ: native %s, JSON %s", a.Plans[0].Digest(), b.Plans[0].Digest())
	}
	if got := b.Plans[0].Rings[1].Src; got != (rollout.Source{File: "p.hcl.json", Line: 6, Column: 16}) {
		t.Errorf("JSON ring Src = %v", got)
	}
}

func TestSelect(t *testing.T) {
	p, diags := Load(mapFS(map[string]string{
		"a.hcl": "rollout \"a\" {\n  applies_to = [\"content\", \"config\"]" + validRing + "}\n",
		"b.hcl": "rollout \"b\" {\n  applies_to = [\"config\"]" + validRing + "}\n",
		"c.hcl": "rollout \"c\" {" + validRing + "}\n",
	}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		kind, name string
		want       string
		err        error
	}{
		{"content", "", "a", nil},
		{"sensor", "", "c", nil}, // the rollout for every kind
		{"config", "", "", ErrAmbiguousPlan},
		{"config", "b", "b", nil},
		{"sensor", "b", "", ErrNoPlan},
		{"", "z", "", ErrNoPlan},
		{"", "", "", ErrAmbiguousPlan},
	} {
		pl, err := p.Select(tc.kind, tc.name)
		got := ""
		if pl != nil {
			got = pl.Name
		}
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Select(%q, %q) = %q, %v; want %q, %v", tc.kind, tc.name, got, err, tc.want, tc.err)
		}
	}
}

// TestLoadExpressionBomb: issue 7's bomb, three nested for-expressions
// over a 1000-element list (10^9 elements if evaluated), is refused on the
// syntax tree: quickly and in a few megabytes.
func TestLoadExpressionBomb(t *testing.T) {
	list := "[" + strings.Repeat("0, ", 999) + "0]"
	bomb := fmt.Sprintf("[for a in %s : [for b in %s : [for c in %s : 0]]]", list, list, list)
	for name, src := range map[string]string{
		"p.hcl":      "rollout \"r\" {\n  ring \"a\" {\n    steps = " + bomb + "\n    bake  = \"1h\"\n  }\n}\n",
		"p.hcl.json": `{"rollout": {"r": {"ring": {"a": {"steps": "${` + bomb + `}", "bake": "1h"}}}}}`,
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, diags := Load(mapFS(map[string]string{name: src}))
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if !diags.HasErrors() || !strings.Contains(diags[0].Summary, "not allowed") {
			t.Errorf("%s: got %v, want an expression error", name, diags)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
			t.Errorf("%s: loading allocated %d MB; the bomb must not be evaluated", name, alloc>>20)
		}
		if elapsed > 5*time.Second {
			t.Errorf("%s: loading took %s", name, elapsed)
		}
	}
}

// TestOptOutKinds: an opt_out kind that no rollout lists is a warning
// when it is close to one (a likely typo), and fine otherwise.
func TestOptOutKinds(t *testing.T) {
	src := wrap("") + "rollout \"c\" {\n  applies_to = [\"content\"]\n" + validRing + "}\ntenant \"x\" {\n  opt_out = [\"contnet\", \"driver\"]\n}\n"
	p, diags := Load(mapFS(map[string]string{"p.hcl": src}))
	if diags.HasErrors() || len(p.Plans) != 2 {
		t.Fatalf("%v", diags)
	}
	want := []diag{{"p.hcl:16:14", "Unlisted update kind", `Did you mean "content"?`}}
	if diff := cmp.Diff(want, summarize(diags, want)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
