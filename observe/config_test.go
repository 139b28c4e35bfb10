package observe_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/policy"
)

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no block", ``, "t.hcl:1:1: Need exactly one telemetry block: the file defines no telemetry \"prometheus\" block"},
		{"unknown source", `telemetry "graphite" {}`, `t.hcl:1:11: Unknown telemetry source`},
		{"missing attrs", `telemetry "prometheus" {}`, `t.hcl:1:24: Missing required argument: The argument "address" is required`},
		{"bad address", strings.ReplaceAll(telemetry, "%ADDR%", "ftp://x"), `t.hcl:2:14: Invalid address`},
		{"bad duration", strings.ReplaceAll(strings.ReplaceAll(telemetry, "%ADDR%", "http://x"), `"5s"`, `"soon"`), `t.hcl:3:14: Invalid duration`},
		{"unknown variable", strings.ReplaceAll(strings.ReplaceAll(telemetry, "%ADDR%", "http://x"), "${update}", "${upd}"), `t.hcl:6:26: Unknown variable: "upd" is not a query variable`},
		{"number", strings.ReplaceAll(strings.ReplaceAll(telemetry, "%ADDR%", "http://x"), `"sum(fleet_hosts{${cohort}})"`, `[1]`), `Invalid query`},
		{"duplicate signal", strings.ReplaceAll(strings.ReplaceAll(telemetry, "%ADDR%", "http://x"), `signal "hang"`, `signal "crash"`), `Duplicate signal: signal "crash" is already defined at t.hcl:12:3`},
		{"syntax", `telemetry "prometheus" {`, `t.hcl:1:24: Unclosed configuration block`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := observe.ParseConfig([]byte(tc.src), "t.hcl")
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			var b bytes.Buffer
			policy.WriteDiagnostics(&b, cfg.Files, diags)
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("diagnostics:\n%s\nwant them to contain %q", b.String(), tc.want)
			}
		})
	}
}

func TestConfigValues(t *testing.T) {
	cfg, diags := observe.ParseConfig([]byte(strings.ReplaceAll(telemetry, "%ADDR%", "http://127.0.0.1:9090")), "t.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := map[string]any{"address": cfg.Address, "timeout": cfg.Timeout, "max_age": cfg.MaxAge, "signals": len(cfg.Signals)}
	want := map[string]any{"address": "http://127.0.0.1:9090", "timeout": 5 * time.Second, "max_age": 5 * time.Second, "signals": 2}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	q, err := cfg.Signals[0].Count.Expand(observe.Vars{Cohort: `update="u1"`, Since: "60s"})
	if err != nil || q != `sum(increase(fleet_crashes_total{update="u1"}[60s]))` {
		t.Errorf("expand = %q, %v", q, err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(strings.ReplaceAll(telemetry, "%ADDR%", "http://x")))
	f.Add([]byte(`telemetry "prometheus" { address = 1 }`))
	f.Add([]byte(`telemetry "prometheus" { hosts = "${x.y[0]}" }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, diags := observe.ParseConfig(src, "f.hcl")
		var b bytes.Buffer
		policy.WriteDiagnostics(&b, cfg.Files, diags)
		if !diags.HasErrors() {
			if _, err := observe.New(cfg, nil); err != nil {
				t.Fatalf("a config without errors is refused: %v", err)
			}
			for _, s := range cfg.Signals {
				s.Count.Expand(observe.Vars{})
			}
		}
	})
}

func ExampleParseConfig() {
	cfg, diags := observe.ParseConfig([]byte(`telemetry "prometheus" {
  address  = "http://127.0.0.1:9090"
  updated  = "version=\"${update}\""
  baseline = "version!=\"${update}\""
  hosts    = "count(up{${cohort}})"
  healthy  = "count(up{${cohort}} == 1)"
  signal "crash" {
    count = "sum(increase(crashes_total{${cohort}}[${since}]))"
  }
}
`), "telemetry.hcl")
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	q, _ := cfg.Signals[0].Count.Expand(observe.Vars{Update: "c-291", Cohort: `version="c-291"`, Since: "3600s"})
	fmt.Println(cfg.Address, cfg.MaxAge)
	fmt.Println(q)
	// Output:
	// http://127.0.0.1:9090 2m0s
	// sum(increase(crashes_total{version="c-291"}[3600s]))
}

func ExampleParseConfig_error() {
	src := []byte(`telemetry "prometheus" {
  address  = "http://127.0.0.1:9090"
  updated  = "version=\"${update_id}\""
  baseline = "version!=\"${update}\""
  hosts    = "count(up{${cohort}})"
  healthy  = "count(up{${cohort}} == 1)"
}
`)
	cfg, diags := observe.ParseConfig(src, "telemetry.hcl")
	policy.WriteDiagnostics(os.Stdout, cfg.Files, diags)
	// Output:
	// telemetry.hcl:3:27: Unknown variable: "update_id" is not a query variable (update, kind, rollout, cohort, since, by); write $${ for a literal ${
	//       updated  = "version=\"${update_id}\""
	//                               ^^^^^^^^^
}
