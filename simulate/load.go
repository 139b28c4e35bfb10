package simulate

import (
	"fmt"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

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

func (d *decoder) fleet(sc *Scenario, b *hcl.Block) {
	c := d.content(b.Body, fleetSchema)
	names := map[string]hcl.Range{}
	total := 0
	for _, blk := range c.Blocks {
		name := blk.Labels[0]
		if prev, dup := names[name]; dup {
			d.errorf(blk.LabelRanges[0], "Duplicate cohort name", "Cohort %q is already defined at %s.", name, prev)
		}
		names[name] = blk.DefRange
		if name == "" || strings.ContainsAny(name, " \t\n") {
			d.errorf(blk.LabelRanges[0], "Invalid cohort name", "A cohort name must be non-empty and without spaces (host IDs are NAME-N).")
		}
		co := d.cohort(blk)
		total += co.Hosts
		if total > MaxHosts {
			d.errorf(blk.DefRange, "Fleet too large", "The fleet has more than %d hosts.", MaxHosts)
			total = math.MinInt32
		}
		sc.Cohorts = append(sc.Cohorts, co)
	}
	if len(c.Blocks) == 0 {
		d.errorf(b.DefRange, "Empty fleet", `A fleet needs at least one cohort "NAME" { ... } block.`)
	}
	if len(c.Blocks) > 1000 {
		d.errorf(b.DefRange, "Too many cohorts", "A fleet may have at most 1000 cohorts.")
	}
}

func (d *decoder) cohort(b *hcl.Block) Cohort {
	co := Cohort{Name: b.Labels[0], Online: 1, Session: 8 * time.Hour, Src: source(b.DefRange)}
	a := d.content(b.Body, cohortSchema).Attributes
	if at := a["hosts"]; at != nil {
		co.hostsRange = at.Expr.Range()
	}
	if at := a["tenants"]; at != nil {
		co.tenantsRange = at.Expr.Range()
	}
	if n, ok := d.whole(a["hosts"]); ok {
		if n < 1 || n > MaxHosts {
			d.errorf(a["hosts"].Expr.Range(), "Invalid hosts", "hosts must be in [1, %d], got %d.", MaxHosts, n)
		} else {
			co.Hosts = n
		}
	}
	co.Labels = d.labels(a["labels"])
	if at := a["tenants"]; at != nil {
		// A literal (hclattr.CheckLiterals): its type is known without
		// evaluating anything else.
		v, diags := at.Expr.Value(nil)
		switch {
		case diags.HasErrors() || v.IsNull():
			d.errorf(at.Expr.Range(), "Invalid tenants", "tenants must be a number of tenants or a list of tenant names.")
		case v.Type() == cty.Number:
			if n, ok := d.whole(at); ok {
				if n < 1 || n > 10_000_000 {
					d.errorf(at.Expr.Range(), "Invalid tenants", "tenants must be in [1, 10000000], got %d.", n)
				} else {
					co.TenantCount = n
				}
			}
		default:
			co.Tenants = d.names(at)
			if co.Tenants != nil && len(co.Tenants) == 0 {
				d.errorf(at.Expr.Range(), "Invalid tenants", "tenants must not be an empty list.")
			}
		}
	}
	if _, ok := co.Labels[rollout.TenantLabel]; ok && (co.TenantCount > 0 || co.Tenants != nil) {
		d.errorf(a["tenants"].Expr.Range(), "Conflicting tenants", "Cohort %q sets the %q label and tenants; use one.", co.Name, rollout.TenantLabel)
	}
	co.TenantSkew = d.number(a["tenant_skew"], 0, 0, 10)
	co.Online = d.number(a["online"], 1, 0, 1)
	co.Session = d.positiveDur(a["session"], 8*time.Hour)
	co.CheckIn = d.positiveDur(a["check_in"], 0)
	co.Jitter = d.dur(a["jitter"], 0)
	if co.CheckIn > 0 && co.Jitter >= co.CheckIn {
		d.errorf(a["jitter"].Expr.Range(), "Invalid jitter", "jitter must be less than check_in (%s).", co.CheckIn)
	}
	return co
}

func (d *decoder) update(sc *Scenario, b *hcl.Block) {
	a := d.content(b.Body, updateSchema).Attributes
	u := &sc.Update
	u.ID, _ = d.str(a["id"])
	u.Kind, _ = d.str(a["kind"])
	if at := a["kind"]; at != nil {
		sc.kindRange = at.Expr.Range()
	}
	u.Urgency, _ = d.str(a["urgency"])
	if at := a["urgency"]; at != nil {
		sc.urgencyRange = at.Expr.Range()
	}
	if a["id"] != nil && u.ID == "" {
		d.errorf(a["id"].Expr.Range(), "Invalid id", "The update needs a non-empty id.")
	}
	if s, ok := d.str(a["release"]); ok {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d.errorf(a["release"].Expr.Range(), "Invalid release", "release must be an RFC 3339 time such as 2024-07-19T04:09:00Z: %v.", err)
		}
		u.Release = t.UTC()
	}
}

func (d *decoder) fault(b *hcl.Block) Fault {
	f := Fault{Name: b.Labels[0], Src: source(b.DefRange), Probability: 1}
	c := d.content(b.Body, faultSchema)
	a := c.Attributes
	f.Select = d.attr.Selector(c.Blocks)
	for _, blk := range c.Blocks {
		if blk.Type == "select" {
			f.selectRange = blk.DefRange
			break
		}
	}
	f.Probability = d.number(a["probability"], 1, 0, 1)
	f.Latency = d.dist(a["latency"])
	f.StrikesFrom = d.dur(a["strikes_from"], 0)
	f.FlapEvery = d.dist(a["flap_every"])
	f.Herd = d.number(a["herd"], 0, 0, 1e9)
	for _, blk := range c.Blocks {
		if blk.Type != "stage" {
			continue
		}
		sa := d.content(blk.Body, stageSchema).Attributes
		st := FaultStage{From: d.dur(sa["from"], 0), Probability: d.number(sa["probability"], 0, 0, 1)}
		if n := len(f.Stages); n > 0 && st.From <= f.Stages[n-1].From {
			d.errorf(blk.DefRange, "Fault stages out of order", "Each stage must start after the one before.")
		}
		f.Stages = append(f.Stages, st)
	}
	if m, ok := d.str(a["mode"]); ok {
		i := slices.Index(faultModeNames[:], m)
		if i <= 0 {
			d.errorf(a["mode"].Expr.Range(), "Invalid mode", "mode must be one of crash, boot_loop, degraded, silent; got %q.", m)
		}
		f.Mode = FaultMode(max(i, 0))
	}
	f.Signal, _ = d.str(a["signal"])
	f.Factor = d.number(a["factor"], 0, 0, 1e6)
	f.RecoverAfter = d.dist(a["recover_after"])
	f.Restart = d.dist(a["restart"])
	f.RebootEvery = d.positiveDur(a["reboot_every"], 0)
	f.RecoverPerReboot = d.number(a["recover_per_reboot"], 0, 0, 1)
	only := func(name string, modes ...FaultMode) {
		if at := a[name]; at != nil && !slices.Contains(modes, f.Mode) && f.Mode != 0 {
			d.errorf(at.NameRange, "Attribute not used by mode", "%s does nothing for a %s fault.", name, f.Mode)
		}
	}
	only("signal", Crash, Degraded)
	only("factor", Degraded)
	only("recover_after", Crash)
	only("restart", Crash)
	only("flap_every", Crash)
	only("herd", Crash)
	only("reboot_every", BootLoop)
	only("recover_per_reboot", BootLoop)
	switch f.Mode {
	case Crash:
		if f.Signal == "" {
			f.Signal = "crash"
		}
		if a["herd"] != nil && a["recover_after"] == nil && a["restart"] == nil {
			d.errorf(a["herd"].NameRange, "Herd needs recovery", "herd slows recovery: set recover_after or restart too.")
		}
		if a["flap_every"] != nil && a["recover_after"] == nil {
			d.errorf(a["flap_every"].NameRange, "Flapping needs recovery", "flap_every crashes a host again after it recovered by itself: set recover_after too.")
		}
	case Degraded:
		if a["signal"] == nil || a["factor"] == nil {
			d.errorf(b.DefRange, "Incomplete degraded fault", "A degraded fault needs signal (the signal that rises) and factor (by how much).")
		} else if f.Factor <= 1 {
			d.errorf(a["factor"].Expr.Range(), "Invalid factor", "factor must be greater than 1.")
		}
	case BootLoop:
		if (a["recover_per_reboot"] != nil) != (a["reboot_every"] != nil) {
			d.errorf(b.DefRange, "Incomplete boot loop", "recover_per_reboot and reboot_every go together.")
		}
	}
	return f
}

func (d *decoder) telemetry(sc *Scenario, b *hcl.Block) {
	a := d.content(b.Body, telemetrySchema).Attributes
	t := &sc.Telemetry
	t.Interval = d.positiveDur(a["interval"], 5*time.Minute)
	t.Delay = d.dur(a["delay"], time.Minute)
	t.Loss = d.number(a["loss"], 0, 0, 0.99)
	t.SilentAfter = d.positiveDur(a["silent_after"], 3*t.Interval)
	if rates, ok := d.attr.NumberMap(a["rates"], "object of signal = events per host-hour"); ok {
		at := a["rates"]
		t.Rates = map[string]float64{}
		keys := make([]string, 0, len(rates))
		for k := range rates {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r := rates[k]
			switch {
			case !(r >= 0 && r <= 1000):
				d.errorf(at.Expr.Range(), "Invalid rates", "rate of %q must be in [0, 1000] events per host-hour, got %g.", k, r)
			case k == "silent" || k == "":
				d.errorf(at.Expr.Range(), "Invalid rates", "%q is not a signal name.", k)
			default:
				t.Rates[k] = r
			}
		}
	}
}

func (d *decoder) people(sc *Scenario, b *hcl.Block) {
	c := d.content(b.Body, peopleSchema)
	a := c.Attributes
	p := &sc.People
	p.Notice = d.dur(a["notice"], 0)
	p.Action = rollout.Rollback
	if s, ok := d.str(a["action"]); ok {
		switch s {
		case "halt":
			p.Action = rollout.Halt
		case "rollback":
		default:
			d.errorf(a["action"].Expr.Range(), "Invalid action", "action must be \"halt\" or \"rollback\", got %q.", s)
		}
	}
	for _, blk := range c.Blocks {
		ra := d.content(blk.Body, repairSchema).Attributes
		r := RepairStage{From: d.dur(ra["from"], 0), PerHour: d.number(ra["per_hour"], 0, 0, 1e9)}
		if n := len(p.Repair); n > 0 && r.From <= p.Repair[n-1].From {
			d.errorf(blk.DefRange, "Repair stages out of order", "Each repair stage must start after the one before.")
		}
		p.Repair = append(p.Repair, r)
	}
}

func (d *decoder) str(a *hcl.Attribute) (string, bool) { return d.attr.String(a) }

// number decodes a number in [lo, hi], def when absent or invalid.
func (d *decoder) number(a *hcl.Attribute, def, lo, hi float64) float64 {
	f, ok := d.attr.Number(a)
	if !ok {
		return def
	}
	if !(f >= lo && f <= hi) {
		d.errorf(a.Expr.Range(), "Invalid "+a.Name, "%s must be in [%g, %g], got %g.", a.Name, lo, hi, f)
		return def
	}
	return f
}

func (d *decoder) whole(a *hcl.Attribute) (int, bool) { return d.attr.Int(a) }

func (d *decoder) dur(a *hcl.Attribute, def time.Duration) time.Duration {
	v, _ := d.durOK(a, def)
	return v
}

func (d *decoder) durOK(a *hcl.Attribute, def time.Duration) (time.Duration, bool) {
	v, ok := d.attr.Duration(a)
	if !ok {
		return def, false
	}
	if v < 0 {
		d.errorf(a.Expr.Range(), "Invalid duration", "%s must not be negative.", a.Name)
		return def, false
	}
	if v > maxScenarioDuration {
		d.errorf(a.Expr.Range(), "Invalid duration", "%s is too long: at most %s (100 years), got %s.", a.Name, fmtDur(maxScenarioDuration), fmtDur(v))
		return def, false
	}
	return v, true
}

func (d *decoder) positiveDur(a *hcl.Attribute, def time.Duration) time.Duration {
	v, ok := d.durOK(a, def)
	if ok && v <= 0 {
		d.errorf(a.Expr.Range(), "Invalid duration", "%s must be positive.", a.Name)
		return def
	}
	return v
}

func (d *decoder) dist(a *hcl.Attribute) Dist {
	s, ok := d.str(a)
	if !ok {
		return Dist{}
	}
	v, err := ParseDist(s)
	if err != nil {
		d.errorf(a.Expr.Range(), "Invalid distribution", "%s: %v.", a.Name, err)
		return Dist{}
	}
	if v.Mean > maxScenarioDuration || v.Max > maxScenarioDuration {
		d.errorf(a.Expr.Range(), "Invalid distribution", "%s is too long: its durations are at most %s (100 years).", a.Name, fmtDur(maxScenarioDuration))
		return Dist{}
	}
	return v
}

// names decodes a non-empty list of distinct, non-empty names; nil when
// it is not one.
func (d *decoder) names(a *hcl.Attribute) []string {
	v, ok := d.attr.StringList(a)
	if !ok {
		return nil
	}
	n := d.nerr
	d.attr.CheckNames(a, v, "name")
	if d.nerr != n {
		return nil
	}
	return v
}

func (d *decoder) labels(a *hcl.Attribute) map[string]string {
	out, ok := d.attr.StringMap(a, `object of label = "value"`)
	if !ok {
		return map[string]string{}
	}
	if _, ok := out[""]; ok {
		d.errorf(a.Expr.Range(), "Invalid labels", "A label needs a name.")
		delete(out, "")
	}
	return out
}

// faultMatches reports a fault whose selector matches no host of the
// fleet: a misspelt label or value would otherwise make the fault strike
// nobody, and the scenario test nothing.
func (d *decoder) faultMatches(sc *Scenario, f Fault) {
	if len(f.Select) == 0 || f.selectRange.Filename == "" {
		return
	}
	for _, co := range sc.Cohorts {
		if cohortMatches(co, f.Select) {
			return
		}
	}
	detail := fmt.Sprintf("Fault %q selects no host of the fleet", f.Name)
	for _, m := range f.Select {
		var keys, values []string
		for _, co := range sc.Cohorts {
			for k := range co.Labels {
				keys = append(keys, k)
			}
			if co.TenantCount > 0 || len(co.Tenants) > 0 {
				keys = append(keys, rollout.TenantLabel)
			}
			if v, ok := co.Labels[m.Key]; ok {
				values = append(values, v)
			}
			if m.Key == rollout.TenantLabel {
				values = append(values, co.Tenants...)
			}
			if cohortMatches(co, rollout.Selector{m}) {
				keys = nil // this label alone matches
				break
			}
		}
		if keys == nil {
			continue
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		if !slices.Contains(keys, m.Key) {
			detail += fmt.Sprintf(": no cohort has a label %q", m.Key)
			if s := hclattr.Suggest(m.Key, keys); s != "" {
				detail += fmt.Sprintf(" (did you mean %q?)", s)
			}
		} else {
			detail += fmt.Sprintf(": no host has %s = %q", m.Key, m.Values)
			for _, v := range m.Values {
				if s := hclattr.Suggest(v, values); s != "" {
					detail += fmt.Sprintf(" (did you mean %q?)", s)
					break
				}
			}
		}
		break
	}
	if !strings.Contains(detail, ": ") {
		detail += ": no cohort has all of these labels at once"
	}
	d.errorf(f.selectRange, "Fault selects no host", "%s; a fault that strikes nobody tests nothing.", detail)
}

// cohortMatches reports whether sel matches some host of co: its labels,
// and its tenant label when it has tenants.
func cohortMatches(co Cohort, sel rollout.Selector) bool {
	for _, m := range sel {
		ok := false
		for _, v := range m.Values {
			if m.Key == rollout.TenantLabel && (co.TenantCount > 0 || len(co.Tenants) > 0) {
				if slices.Contains(co.Tenants, v) {
					ok = true
				} else if n, err := strconv.Atoi(strings.TrimPrefix(v, "t")); err == nil && strings.HasPrefix(v, "t") &&
					n >= 1 && n <= min(co.TenantCount, co.Hosts) && "t"+strconv.Itoa(n) == v {
					ok = true
				}
			} else if l, has := co.Labels[m.Key]; has && l == v {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func parseDuration(s string) (time.Duration, error) { return hclattr.ParseDuration(s) }
