package simulate

// The scenario's blocks, decoded one method each: fleet and cohorts, the
// update, faults, telemetry and people (load.go reads the file and the
// scenario block; load_attrs.go holds the typed attribute helpers).

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/ringwise/ringwise/rollout"
)

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
