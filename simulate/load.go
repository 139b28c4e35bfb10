package simulate

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

// MaxScenarioSize is the largest scenario file LoadScenario reads.
const MaxScenarioSize = 1 << 20

// maxScenarioDuration is the longest duration a scenario may write.
const maxScenarioDuration = 100 * 365 * 24 * time.Hour

// MaxHosts is the largest fleet a scenario may describe.
const MaxHosts = 100_000_000

var (
	scenarioFileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "scenario", LabelNames: []string{"name"}}}}
	scenarioSchema     = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "description"}, {Name: "policy", Required: true}, {Name: "rollout"},
			{Name: "horizon", Required: true}, {Name: "resolution"}, {Name: "sample"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "fleet"}, {Type: "update"}, {Type: "fault", LabelNames: []string{"name"}},
			{Type: "telemetry"}, {Type: "people"},
		},
	}
	fleetSchema  = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "cohort", LabelNames: []string{"name"}}}}
	cohortSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "hosts", Required: true}, {Name: "labels"}, {Name: "tenants"}, {Name: "tenant_skew"},
		{Name: "online"}, {Name: "session"}, {Name: "check_in", Required: true}, {Name: "jitter"},
	}}
	updateSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "id", Required: true}, {Name: "kind", Required: true}, {Name: "urgency"}, {Name: "release", Required: true},
	}}
	faultSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "probability"}, {Name: "latency"}, {Name: "mode", Required: true}, {Name: "signal"},
			{Name: "factor"}, {Name: "recover_after"}, {Name: "restart"}, {Name: "reboot_every"}, {Name: "recover_per_reboot"},
			{Name: "strikes_from"}, {Name: "flap_every"}, {Name: "herd"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "select"}, {Type: "stage"}},
	}
	stageSchema     = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "probability", Required: true}}}
	telemetrySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "interval", Required: true}, {Name: "delay"}, {Name: "loss"}, {Name: "silent_after"}, {Name: "rates"},
	}}
	peopleSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "notice"}, {Name: "action"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "repair"}},
	}
	repairSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "per_hour", Required: true}}}
)

// LoadScenario reads the scenario file name from fsys. The language:
//
//	scenario "NAME" {
//	  description = "..."
//	  policy      = "../policies/recommended.hcl" # relative to this file
//	  rollout     = "content"                     # optional: the rollout block
//	  horizon     = "72h"
//	  resolution  = "1m"   # the tick (default 1m)
//	  sample      = "15m"  # timeline interval (default: horizon/288, at least a tick)
//
//	  fleet {
//	    cohort "workstations" {
//	      hosts       = 1000000
//	      labels      = { os = "windows", os_build = "19045", channel = "stable" }
//	      tenants     = 5000          # or a list of names
//	      tenant_skew = 1.1           # Zipf exponent of tenant sizes (default 0)
//	      online      = 0.9           # share online at any time (default 1)
//	      session     = "8h"          # online state redrawn this often (default 8h)
//	      check_in    = "10m"         # hosts ask for updates this often
//	      jitter      = "1m"          # up to this late (default 0)
//	    }
//	  }
//	  update {
//	    id      = "c-291"
//	    kind    = "content"
//	    urgency = "routine"
//	    release = "2024-07-19T04:09:00Z"
//	  }
//	  fault "NAME" {
//	    select { os = "windows" }    # optional: all hosts
//	    probability = 1              # default 1
//	    latency     = "exp(2m)"      # "30s", "exp(MEAN)", "uniform(MIN, MAX)"; default 0
//	    mode        = "boot_loop"    # crash | boot_loop | degraded | silent
//	    reboot_every       = "10m"   # boot_loop: a reboot this often ...
//	    recover_per_reboot = 0.001   # ... recovers with this chance
//	    # crash:    signal = "crash" (the event reported), recover_after = "20m"
//	    #           (down this long; default: until rollback), restart = "2m"
//	    #           (back this long after taking the rollback), flap_every = "exp(20m)"
//	    #           (a recovered host crashes again this long after: the fault flaps),
//	    #           herd = 500 (recovery takes 1 + n/500 times longer with n
//	    #           hosts already recovering: a thundering herd)
//	    # degraded: signal = "latency" (the signal raised), factor = 5 (its rate multiple)
//	    strikes_from = "3h"          # latent until an outside event this long after the
//	                                 # release; then latency after the later of it and the install
//	    stage {                      # the probability for hosts updated from this time on
//	      from        = "1h"         # (as more bad artefacts spread); stages in order
//	      probability = 0.5
//	    }
//	  }
//	  telemetry {
//	    interval     = "5m"
//	    delay        = "1m"
//	    loss         = 0.01
//	    silent_after = "15m"
//	    rates        = { crash = 0.0002 }   # background events per host-hour
//	  }
//	  people {
//	    notice = "77m"               # stop the push this long after the first failure
//	    action = "rollback"          # or "halt"
//	    repair {                     # hands-on repair capacity
//	      from     = "5h"
//	      per_hour = 20000
//	    }
//	  }
//	}
//
// Values are literals, as in policy files (see package policy's language
// reference): for-expressions, templates, arithmetic, conditionals,
// function calls and references are errors found on the syntax tree before
// anything is evaluated.
//
// The file is read with policy.ReadSource: only a regular file of at most
// MaxScenarioSize bytes is read, confined to fsys.
//
// Every problem is an hcl.Diagnostic with a range in the file; the returned
// files (by name) render them (policy.WriteDiagnostics). The Scenario is
// nil when the diagnostics have errors.
func LoadScenario(fsys fs.FS, name string) (*Scenario, map[string]*hcl.File, hcl.Diagnostics) {
	files := map[string]*hcl.File{}
	src, diags := policy.ReadSource(fsys, name, name, MaxScenarioSize)
	if diags.HasErrors() {
		return nil, files, diags
	}
	sc, file, diags := ParseScenario(src, name)
	if file != nil {
		files[name] = file
	}
	return sc, files, diags
}

// ParseScenario parses scenario source; filename is used in diagnostics.
// See LoadScenario.
func ParseScenario(src []byte, filename string) (*Scenario, *hcl.File, hcl.Diagnostics) {
	whole := &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
	if len(src) > MaxScenarioSize {
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Scenario file too large",
			Detail: fmt.Sprintf("%s is larger than %d bytes.", filename, MaxScenarioSize), Subject: whole}}
	}
	if diags := hclattr.CheckUTF8(src, filename); diags.HasErrors() {
		return nil, &hcl.File{Body: hcl.EmptyBody(), Bytes: src}, diags
	}
	if diags := policy.CheckNesting(src, filename, false); diags.HasErrors() {
		return nil, &hcl.File{Body: hcl.EmptyBody(), Bytes: src}, diags
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, file, diags
	}
	if diags = append(diags, hclattr.CheckLiterals(file.Body)...); diags.HasErrors() {
		return nil, file, diags
	}
	d := newDecoder()
	sc := d.file(file.Body, whole)
	sort.SliceStable(d.diags, func(a, b int) bool {
		x, y := d.diags[a].Subject, d.diags[b].Subject
		return x != nil && (y == nil || x.Start.Byte < y.Start.Byte)
	})
	diags = append(diags, d.diags...)
	if diags.HasErrors() {
		return nil, file, diags
	}
	return sc, file, diags
}

// decoder decodes a scenario: types and shapes through the attribute
// decoder it shares with policy files (hclattr.Decoder), the scenario's
// own ranges and rules here.
type decoder struct {
	diags hcl.Diagnostics
	nerr  int
	attr  hclattr.Decoder
}

func newDecoder() *decoder {
	d := &decoder{}
	d.attr.Report = func(x *hcl.Diagnostic) {
		d.diags = append(d.diags, x)
		if x.Severity == hcl.DiagError {
			d.nerr++
		}
	}
	return d
}

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	d.attr.Errorf(rng, summary, format, args...)
}

func (d *decoder) content(body hcl.Body, schema *hcl.BodySchema) *hcl.BodyContent {
	c, diags := body.Content(schema)
	d.diags = append(d.diags, diags...)
	return c
}

func source(rng hcl.Range) rollout.Source {
	return rollout.Source{File: rng.Filename, Line: rng.Start.Line, Column: rng.Start.Column}
}

func (d *decoder) file(body hcl.Body, whole *hcl.Range) *Scenario {
	c := d.content(body, scenarioFileSchema)
	if len(c.Blocks) == 0 {
		d.errorf(*whole, "Missing scenario block", `A scenario file holds one scenario "NAME" { ... } block.`)
		return nil
	}
	for _, b := range c.Blocks[1:] {
		d.errorf(b.DefRange, "Duplicate scenario block", "A scenario file holds one scenario block; the first is at %s.", c.Blocks[0].DefRange)
	}
	return d.scenario(c.Blocks[0])
}

func (d *decoder) scenario(b *hcl.Block) *Scenario {
	sc := &Scenario{Name: b.Labels[0], Src: source(b.DefRange), Resolution: time.Minute}
	if sc.Name == "" {
		d.errorf(b.LabelRanges[0], "Invalid name", "A scenario needs a non-empty name.")
	}
	c := d.content(b.Body, scenarioSchema)
	a := c.Attributes
	sc.Description, _ = d.str(a["description"])
	sc.Policy, _ = d.str(a["policy"])
	if at := a["policy"]; at != nil {
		sc.policyRange = at.Expr.Range()
		switch p := sc.Policy; {
		case p == "":
			d.errorf(at.Expr.Range(), "Invalid policy", "policy must name a policy file or directory.")
		case path.IsAbs(p) || filepath.IsAbs(p) || strings.HasPrefix(p, `\\`) || filepath.VolumeName(p) != "":
			d.errorf(at.Expr.Range(), "Invalid policy", "policy must be a path relative to the scenario file's directory, such as \"policy.hcl\" or \"../policies\"; %q is absolute.", p)
		}
	}
	sc.Rollout, _ = d.str(a["rollout"])
	if at := a["rollout"]; at != nil {
		sc.rolloutRange = at.Expr.Range()
	}
	sc.Horizon = d.positiveDur(a["horizon"], 0)
	sc.Resolution = d.positiveDur(a["resolution"], time.Minute)
	if sc.Resolution > 0 && sc.Resolution < time.Second {
		d.errorf(a["resolution"].Expr.Range(), "Invalid resolution", "resolution must be at least 1s.")
	}
	if sc.Horizon > 0 && sc.Resolution > 0 {
		if ticks := sc.Horizon / sc.Resolution; ticks > 5_000_000 {
			d.errorf(a["horizon"].Expr.Range(), "Horizon too long", "horizon is %d ticks of %s; at most 5000000 are allowed: raise resolution.", ticks, sc.Resolution)
		}
	}
	sc.Sample = d.positiveDur(a["sample"], 0)
	if sc.Sample == 0 && sc.Horizon > 0 {
		sc.Sample = max(sc.Resolution, (sc.Horizon/288+sc.Resolution-1)/sc.Resolution*sc.Resolution)
	}
	if sc.Sample > 0 && sc.Sample < sc.Resolution && a["sample"] != nil {
		d.errorf(a["sample"].Expr.Range(), "Invalid sample", "sample must be at least the resolution (%s).", sc.Resolution)
	}

	var fleet, update, telemetry, people *hcl.Block
	once := func(dst **hcl.Block, blk *hcl.Block) {
		if *dst != nil {
			d.errorf(blk.DefRange, "Duplicate "+blk.Type+" block", "A scenario has one %s block; the first is at %s.", blk.Type, (*dst).DefRange)
			return
		}
		*dst = blk
	}
	faultNames := map[string]hcl.Range{}
	for _, blk := range c.Blocks {
		switch blk.Type {
		case "fleet":
			once(&fleet, blk)
		case "update":
			once(&update, blk)
		case "telemetry":
			once(&telemetry, blk)
		case "people":
			once(&people, blk)
		case "fault":
			if prev, dup := faultNames[blk.Labels[0]]; dup {
				d.errorf(blk.LabelRanges[0], "Duplicate fault name", "Fault %q is already defined at %s.", blk.Labels[0], prev)
			}
			faultNames[blk.Labels[0]] = blk.DefRange
			sc.Faults = append(sc.Faults, d.fault(blk))
		}
	}
	if len(sc.Faults) > 14 {
		d.errorf(b.DefRange, "Too many faults", "A scenario may define at most 14 faults, got %d.", len(sc.Faults))
	}
	missing := func(blk *hcl.Block, name string) bool {
		if blk == nil {
			article := "a"
			if strings.ContainsRune("aeiou", rune(name[0])) {
				article = "an"
			}
			d.errorf(b.DefRange, "Missing "+name+" block", "Scenario %q needs %s %s block.", sc.Name, article, name)
			return true
		}
		return false
	}
	if !missing(fleet, "fleet") {
		d.fleet(sc, fleet)
		for _, f := range sc.Faults {
			d.faultMatches(sc, f)
		}
	}
	if !missing(update, "update") {
		d.update(sc, update)
	}
	sc.Telemetry = Telemetry{Interval: 5 * time.Minute, Delay: time.Minute, SilentAfter: 15 * time.Minute}
	if telemetry != nil {
		d.telemetry(sc, telemetry)
	}
	if people != nil {
		d.people(sc, people)
	}
	return sc
}
