package observe

import (
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/ringwise/ringwise/policy"
)

// Config is a loaded telemetry block: where Prometheus is and the queries
// for each count. Build one with ParseConfig or LoadConfig; a Config is
// immutable and safe for concurrent use. The zero Config is not valid.
type Config struct {
	Address  string
	Timeout  time.Duration
	MaxAge   time.Duration
	Fresh    *Template // nil: the observation is taken at the call's time
	Updated  *Template
	Baseline *Template
	Hosts    *Template
	Healthy  *Template
	Silent   *Template // may be nil
	Strata   *Template // may be nil
	Signals  []SignalQuery
	// Files holds the parsed file, for rendering diagnostics.
	Files map[string]*hcl.File
}

// SignalQuery names the queries of one signal.
type SignalQuery struct {
	Name  string
	Count *Template
	Hours *Template // may be nil: no host-hours (sequential triggers then see 0)
}

// Template is a PromQL string template from the configuration.
type Template struct {
	expr hcl.Expression
	// Src is where the template is written, FILE:LINE:COL.
	Src hcl.Range
}

// Vars are the values a template can refer to.
type Vars struct {
	Update, Kind, Rollout, Cohort, Since, By string
}

func (v Vars) ctx() *hcl.EvalContext {
	return &hcl.EvalContext{Variables: map[string]cty.Value{
		"update": cty.StringVal(v.Update), "kind": cty.StringVal(v.Kind),
		"rollout": cty.StringVal(v.Rollout), "cohort": cty.StringVal(v.Cohort),
		"since": cty.StringVal(v.Since), "by": cty.StringVal(v.By),
	}}
}

// Expand renders the template with vars.
func (t *Template) Expand(vars Vars) (string, error) {
	v, diags := t.expr.Value(vars.ctx())
	if diags.HasErrors() {
		return "", fmt.Errorf("observe: %s: %s", pos(t.Src), diags.Error())
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", fmt.Errorf("observe: %s: query is not a string", pos(t.Src))
	}
	return v.AsString(), nil
}

var telemetrySchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "telemetry", LabelNames: []string{"kind"}}}}

var promSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "address", Required: true}, {Name: "timeout"}, {Name: "max_age"}, {Name: "fresh"},
		{Name: "updated", Required: true}, {Name: "baseline", Required: true},
		{Name: "hosts", Required: true}, {Name: "healthy", Required: true}, {Name: "silent"}, {Name: "strata"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "signal", LabelNames: []string{"name"}}},
}

var signalSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count", Required: true}, {Name: "hours"}}}

// LoadConfig reads and parses a telemetry file.
func LoadConfig(path string) (*Config, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return &Config{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read telemetry file", Detail: err.Error()}}
	}
	return ParseConfig(src, path)
}

// ParseConfig parses a telemetry file holding one telemetry "prometheus"
// block. It always returns a non-nil Config whose Files can render the
// diagnostics (policy.WriteDiagnostics); with errors, the Config must not
// be used.
func ParseConfig(src []byte, filename string) (*Config, hcl.Diagnostics) {
	c := &Config{Timeout: 10 * time.Second, MaxAge: 2 * time.Minute}
	if diags := policy.CheckNesting(src, filename, false); diags.HasErrors() {
		return c, diags
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	c.Files = map[string]*hcl.File{filename: f}
	if diags.HasErrors() {
		return c, diags
	}
	content, d := f.Body.Content(telemetrySchema)
	diags = append(diags, d...)
	var blocks hcl.Blocks
	for _, b := range content.Blocks {
		if b.Labels[0] != "prometheus" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown telemetry source",
				Detail: fmt.Sprintf("telemetry %q: the only source is \"prometheus\"", b.Labels[0]), Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		blocks = append(blocks, b)
	}
	if len(blocks) != 1 {
		if !diags.HasErrors() {
			detail := "the file defines no telemetry \"prometheus\" block"
			subject := &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
			if len(blocks) > 1 {
				detail = "the file defines more than one telemetry \"prometheus\" block"
				subject = blocks[1].DefRange.Ptr()
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Need exactly one telemetry block", Detail: detail, Subject: subject})
		}
		return c, diags
	}
	diags = append(diags, c.decode(blocks[0].Body)...)
	return c, diags
}

func (c *Config) decode(body hcl.Body) hcl.Diagnostics {
	content, diags := body.Content(promSchema)
	str := func(name string) (string, hcl.Range, bool) {
		a := content.Attributes[name]
		if a == nil {
			return "", hcl.Range{}, false
		}
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			return "", a.Range, false
		}
		if v.IsNull() || v.Type() != cty.String {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Incorrect attribute value type", Detail: name + " must be a string", Subject: a.Expr.Range().Ptr()})
			return "", a.Range, false
		}
		return v.AsString(), a.Expr.Range(), true
	}
	if s, rng, ok := str("address"); ok {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid address", Detail: fmt.Sprintf("address %q must be an http:// or https:// URL with a host", s), Subject: rng.Ptr()})
		}
		c.Address = s
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"timeout", &c.Timeout}, {"max_age", &c.MaxAge}} {
		if s, rng, ok := str(d.name); ok {
			v, err := policy.ParseDuration(s)
			if err != nil || v <= 0 {
				msg := "must be a positive duration such as \"10s\""
				if err != nil {
					msg = err.Error()
				}
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid duration", Detail: d.name + ": " + msg, Subject: rng.Ptr()})
				continue
			}
			*d.dst = v
		}
	}
	tmpl := func(a *hcl.Attribute) *Template {
		if a == nil {
			return nil
		}
		t := &Template{expr: a.Expr, Src: a.Expr.Range()}
		for _, tr := range a.Expr.Variables() {
			name := tr.RootName()
			switch name {
			case "update", "kind", "rollout", "cohort", "since", "by":
				continue
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown variable",
				Detail: fmt.Sprintf("%q is not a query variable (update, kind, rollout, cohort, since, by); write $${ for a literal ${", name), Subject: tr.SourceRange().Ptr()})
			return nil
		}
		if _, err := t.Expand(Vars{}); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid query", Detail: err.Error(), Subject: t.Src.Ptr()})
			return nil
		}
		return t
	}
	attr := func(name string) *Template { return tmpl(content.Attributes[name]) }
	c.Fresh, c.Updated, c.Baseline = attr("fresh"), attr("updated"), attr("baseline")
	c.Hosts, c.Healthy, c.Silent, c.Strata = attr("hosts"), attr("healthy"), attr("silent"), attr("strata")
	seen := map[string]hcl.Range{}
	for _, b := range content.Blocks {
		name := b.Labels[0]
		if prev, dup := seen[name]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate signal",
				Detail: fmt.Sprintf("signal %q is already defined at %s", name, pos(prev)), Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		seen[name] = b.DefRange
		sc, d := b.Body.Content(signalSchema)
		diags = append(diags, d...)
		q := SignalQuery{Name: name, Count: tmpl(sc.Attributes["count"]), Hours: tmpl(sc.Attributes["hours"])}
		if q.Count != nil {
			c.Signals = append(c.Signals, q)
		}
	}
	return diags
}
