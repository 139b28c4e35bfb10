package rollout

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringwise/ringwise/internal/transcript"
)

// Transcript tests in the manner of etcd-io/raft's datadriven tests: each
// testdata/*.txt file is a sequence of commands with their expected output,
// run by internal/transcript; `go test -run TestTranscripts -rewrite`
// regenerates the outputs.
//
// A case is a command line, optional input lines, a line "----" and the
// expected output, ended by a blank line. Lines starting with # between
// cases are comments. Times are offsets from Tuesday 2026-11-24 09:00 UTC
// (at=+30m, at=-1h) or RFC 3339; a command without at= uses the last time.
//
//	plan                       input: one rule a line (see parseRule)
//	replan                     the same, for a plan changed under the rollout
//	fleet n=20 internal=2 tenants=acme:3,beta:5 [os=w10,w11]
//	start [update=u1] [kind=content] [urgency=emergency] [at=]
//	observe [updated=5] [healthy=5] [silent=0] [crash=0] [hours=0] [exposure=0] [approve=RING|RING/STEP] [at=]
//	        [base=100 [base_crash=0] [base_silent=0] [base_hours=0] [base_signals=none]]   the baseline
//	        input: per-stratum counts, one stratum a line:
//	        KEY [updated=] [silent=] [crash=] [hours=] [base=] [base_silent=] [base_crash=] [base_hours=]
//	decide [at=]
//	eligible [host=h03] [at=]  one host, or every verdict of the fleet
//	pause [reason=...] | unpause | resume [by=bob] | adopt   [at=]
//	schedule | log
func TestTranscripts(t *testing.T) {
	transcript.RunGlob(t, "testdata/*.txt", transcript.Format{}, func(t *testing.T) map[string]transcript.Handler {
		return (&session{now: t0}).handlers()
	})
}

// session is the state a transcript's commands act on.
type session struct {
	plan  *Plan
	fleet *Fleet // the fleet the controller and the host call use
	hosts []Host
	st    State
	obs   Observation
	now   time.Time
}

// handlers returns a transcript.Handler per command. Each reads its
// key=value arguments, moves the clock to at= when given, and prints "ok"
// when it has nothing to say; a panic (a broken plan, say) prints as an
// error.
func (r *session) handlers() map[string]transcript.Handler {
	cmds := map[string]func(name string, args map[string]string, input []string) string{
		"plan":     r.cmdPlanReplan,
		"replan":   r.cmdPlanReplan,
		"fleet":    r.cmdFleet,
		"start":    r.cmdStart,
		"observe":  r.cmdObserve,
		"decide":   r.cmdDecide,
		"eligible": r.cmdEligible,
		"pause":    r.cmdPause,
		"unpause":  r.cmdUnpause,
		"resume":   r.cmdResume,
		"adopt":    r.cmdAdopt,
		"schedule": r.cmdSchedule,
		"log":      r.cmdLog,
		"warnings": r.cmdWarnings,
		"tenants":  r.cmdTenants,
	}
	out := map[string]transcript.Handler{}
	for name, cmd := range cmds {
		out[name] = func(t *testing.T, c *transcript.Case) (lines []string) {
			defer func() {
				if p := recover(); p != nil {
					lines = []string{fmt.Sprintf("error: %v", p)}
				}
			}()
			args := map[string]string{}
			for _, a := range c.Args {
				k, v, _ := strings.Cut(a, "=")
				args[k] = v
			}
			if at, ok := args["at"]; ok {
				r.now = parseAt(at)
			}
			got := strings.TrimRight(cmd(name, args, c.Input), "\n")
			if got == "" {
				got = "ok"
			}
			return strings.Split(got, "\n")
		}
	}
	return out
}

// cmdPlanReplan runs plan and replan.
func (r *session) cmdPlanReplan(name string, args map[string]string, input []string) string {
	var b strings.Builder
	p := Plan{Name: "transcript"}
	for _, l := range input {
		parseRule(&p, l)
	}
	plan, err := Compile(p)
	if err != nil {
		for _, e := range ValidationErrors(err) {
			fmt.Fprintln(&b, e)
		}
		return b.String()
	}
	r.plan = plan
	if name == "replan" {
		r.fleet = must(NewFleet(plan, r.fleet.RolloutID(), r.hosts))
		return "plan changed under the rollout"
	}
	return b.String()
}

// cmdFleet runs fleet.
func (r *session) cmdFleet(name string, args map[string]string, input []string) string {
	var b strings.Builder
	r.hosts = nil
	n := atoi(args["n"])
	internal := atoi(args["internal"])
	oses := strings.Split(orDefault(args["os"], "w11"), ",")
	var tenants []string
	for _, tc := range splitList(args["tenants"]) {
		name, count, _ := strings.Cut(tc, ":")
		for range atoi(count) {
			tenants = append(tenants, name)
		}
	}
	for i := range n {
		labels := map[string]string{"channel": "stable", "os": oses[i%len(oses)]}
		if i < internal {
			labels["channel"] = "internal"
		} else if k := i - internal; k < len(tenants) {
			labels[TenantLabel] = tenants[k]
		}
		r.hosts = append(r.hosts, Host{ID: fmt.Sprintf("h%02d", i), Labels: labels})
	}
	r.fleet = must(NewFleet(r.plan, orDefault(args["id"], "r1"), r.hosts))
	for i, ring := range r.plan.Rings {
		fmt.Fprintf(&b, "ring %s: %d hosts\n", ring.Name, r.fleet.RingSize(i))
	}
	return b.String()
}

// cmdStart runs start.
func (r *session) cmdStart(name string, args map[string]string, input []string) string {
	var b strings.Builder
	u := Update{ID: orDefault(args["update"], "u1"), Kind: orDefault(args["kind"], "content"), Urgency: args["urgency"]}
	st, err := r.fleet.Start(u, r.now)
	if err != nil {
		return "error: " + err.Error()
	}
	r.st = st
	fmt.Fprintf(&b, "rollout %s of update %s (%s) at %s", st.RolloutID, u.ID, u.Kind, fmtAt(r.now))
	return b.String()
}

// cmdObserve runs observe.
func (r *session) cmdObserve(name string, args map[string]string, input []string) string {
	var b strings.Builder
	o := Observation{At: r.now, Updated: Cohort{
		Hosts: atoi(args["updated"]), Healthy: atoi(args["healthy"]), Silent: atoi(args["silent"]),
		Signals: map[string]Signal{"crash": {Count: atof(args["crash"]), Hours: atof(args["hours"])}},
	}}
	if v, ok := args["healthy"]; !ok || v == "" {
		o.Updated.Healthy = o.Updated.Hosts
	}
	o.Updated.Hours = atof(args["exposure"])
	if _, ok := args["crash"]; !ok && args["signals"] == "none" {
		o.Updated.Signals = nil
	}
	if v, ok := args["base"]; ok {
		o.Baseline = Cohort{Hosts: atoi(v), Silent: atoi(args["base_silent"]),
			Signals: map[string]Signal{"crash": {Count: atof(args["base_crash"]), Hours: atof(args["base_hours"])}}}
		o.Baseline.Healthy = o.Baseline.Hosts - o.Baseline.Silent
		if args["base_signals"] == "none" {
			o.Baseline.Signals = nil
		}
	}
	for _, line := range input {
		f := strings.Fields(line)
		a := map[string]string{}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			a[k] = v
		}
		if o.ByStratum == nil {
			o.ByStratum = map[string]Stratum{}
		}
		st := Stratum{
			Updated: Cohort{Hosts: atoi(a["updated"]), Silent: atoi(a["silent"]),
				Signals: map[string]Signal{"crash": {Count: atof(a["crash"]), Hours: atof(a["hours"])}}},
			Baseline: Cohort{Hosts: atoi(a["base"]), Silent: atoi(a["base_silent"]),
				Signals: map[string]Signal{"crash": {Count: atof(a["base_crash"]), Hours: atof(a["base_hours"])}}},
		}
		st.Updated.Healthy = st.Updated.Hosts - st.Updated.Silent
		st.Baseline.Healthy = st.Baseline.Hosts - st.Baseline.Silent
		o.ByStratum[f[0]] = st
	}
	for _, ring := range splitList(args["approve"]) { // RING or RING/STEP
		ring, step, _ := strings.Cut(ring, "/")
		o.Approvals = append(o.Approvals, Approval{Ring: ring, Step: atoi(step), By: "alice"})
	}
	if len(r.plan.Rings[0].Cover) > 0 {
		o.Updated.Strata = map[string]int{}
		for _, s := range r.fleet.Strata(0) {
			o.Updated.Strata[s] = 1
		}
	}
	r.obs = o
	fmt.Fprintf(&b, "observed at %s: %d updated, %d healthy, %d silent", fmtAt(r.now), o.Updated.Hosts, o.Updated.Healthy, o.Updated.Silent)
	return b.String()
}

// cmdDecide runs decide.
func (r *session) cmdDecide(name string, args map[string]string, input []string) string {
	var b strings.Builder
	d := r.fleet.Decide(context.Background(), r.st, r.obs, r.now)
	r.st = d.State
	fmt.Fprintf(&b, "%s at %s: %s", d.Action, fmtAt(r.now), position(r.fleet.Plan(), d.State))
	if !d.Next.IsZero() {
		fmt.Fprintf(&b, ", next %s", fmtAt(d.Next))
	}
	for _, reason := range d.Reasons {
		fmt.Fprintf(&b, "\n  %s", reason)
	}
	return b.String()
}

// cmdEligible runs eligible.
func (r *session) cmdEligible(name string, args map[string]string, input []string) string {
	var b strings.Builder
	if id, ok := args["host"]; ok {
		writeEligibility(&b, id, r.fleet.Eligible(id, &r.st, r.now))
		return b.String()
	}
	groups := map[string][]string{}
	var keys []string
	for _, h := range r.hosts {
		e := r.fleet.Eligible(h.ID, &r.st, r.now)
		k := e.Verdict.String()
		if e.Verdict != Take {
			k += " (" + e.Why.String() + ")"
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], h.ID)
	}
	slices.Sort(keys)
	fmt.Fprintf(&b, "at %s:", fmtAt(r.now))
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s", k, strings.Join(groups[k], " "))
	}
	return b.String()
}

// cmdPause runs pause.
func (r *session) cmdPause(name string, args map[string]string, input []string) string {
	var b strings.Builder
	st, err := Pause(r.st, orDefault(args["reason"], "by hand"), r.now)
	if err != nil {
		return "error: " + err.Error()
	}
	r.st = st
	return b.String()
}

// cmdUnpause runs unpause.
func (r *session) cmdUnpause(name string, args map[string]string, input []string) string {
	var b strings.Builder
	st, err := Unpause(r.st, r.now)
	if err != nil {
		return "error: " + err.Error()
	}
	r.st = st
	return b.String()
}

// cmdResume runs resume.
func (r *session) cmdResume(name string, args map[string]string, input []string) string {
	var b strings.Builder
	st, err := Resume(r.st, r.obs, orDefault(args["by"], "bob"), r.now)
	if err != nil {
		return "error: " + err.Error()
	}
	r.st = st
	return b.String()
}

// cmdAdopt runs adopt.
func (r *session) cmdAdopt(name string, args map[string]string, input []string) string {
	var b strings.Builder
	st, err := r.fleet.Adopt(r.st, r.now)
	if err != nil {
		return "error: " + err.Error()
	}
	r.st = st
	fmt.Fprintf(&b, "adopted at %s: %s", fmtAt(r.now), position(r.fleet.Plan(), st))
	return b.String()
}

// cmdSchedule runs schedule.
func (r *session) cmdSchedule(name string, args map[string]string, input []string) string {
	var b strings.Builder
	s := r.fleet.Plan().Schedule(r.st.Update, r.st.Started)
	for _, step := range s.Steps {
		if step.Hosts > 0 {
			fmt.Fprintf(&b, "%s ring %s step %d: %d hosts", fmtAt(step.Start), step.Ring, step.Step+1, step.Hosts)
		} else {
			fmt.Fprintf(&b, "%s ring %s step %d: %g%%", fmtAt(step.Start), step.Ring, step.Step+1, step.Percent)
		}
		if step.Capped {
			b.WriteString(" (tenant cap)")
		}
		if step.Bake != r.fleet.Plan().BakeFor(step.RingIndex, r.st.Update.Urgency) {
			fmt.Fprintf(&b, " bake %s", step.Bake) // per step, or the final bake
		}
		for _, why := range step.Reasons {
			fmt.Fprintf(&b, " [%s]", why)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "complete %s", fmtAt(s.Complete))
	return b.String()
}

// cmdLog runs log.
func (r *session) cmdLog(name string, args map[string]string, input []string) string {
	var b strings.Builder
	for _, e := range r.st.Log {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

func position(p *Plan, st State) string {
	s := fmt.Sprintf("%s, ring %s step %d", st.Phase, p.Rings[min(st.Ring, len(p.Rings)-1)].Name, st.Step+1)
	if st.Step < 0 {
		s = fmt.Sprintf("%s, before ring %s", st.Phase, p.Rings[min(st.Ring, len(p.Rings)-1)].Name)
	}
	if st.Paused {
		s += ", paused"
	}
	return s
}

func writeEligibility(b *strings.Builder, id string, e Eligibility) {
	fmt.Fprintf(b, "%s: %s (%s)", id, e.Verdict, e.Why)
	if e.Rule != "" {
		fmt.Fprintf(b, " rule %s", e.Rule)
	}
	if !e.From.IsZero() {
		fmt.Fprintf(b, " from %s", fmtAt(e.From))
	}
}

// parseRule reads one line of a plan block:
//
//	ring NAME [select=KEY:V1|V2,KEY2!V3] steps=1,10,100 bake=2h [cover=os] [tenant_cap=50] [min_healthy=0.9] [approval]
//	     (either form) [min_taken=0.5] [min_host_hours=10] [no_health_gate]
//	ring NAME linear=20|exponential=10 [factor=2] bakes=1h,30m,... [canary_hosts=10] [approve_steps=2,4]
//	rollout NAME [start_delay=6m] [final_bake=30m] [pause_limit=720h]
//	trigger NAME absolute|baseline|silence|sequential [signal=crash] [above=0.01] [ratio=2] [rate=0.001] [alpha=0.01] [min_count=1] [attribute=baseline] [by=os,arch] action=halt|rollback
//	blackout NAME from=+24h to=+48h [exempt=emergency]
//	urgency NAME bake_scale=0.1
//	tenant NAME select=KEY:V [defer=48h] [defer_kinds=content:0s,sensor:72h] [window=sat,sun@01:00+4h/Europe/London] [optout=sensor]
func parseRule(p *Plan, line string) {
	f := strings.Fields(line)
	args := map[string]string{}
	for _, a := range f[2:] {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	sel := func() Selector {
		if args["select"] == "" {
			return nil
		}
		var out Selector
		for _, term := range strings.Split(args["select"], ",") {
			if k, v, ok := strings.Cut(term, "!"); ok {
				out = append(out, Match{Key: k, Values: strings.Split(v, "|"), Not: true})
				continue
			}
			k, v, _ := strings.Cut(term, ":")
			out = append(out, Match{Key: k, Values: strings.Split(v, "|")})
		}
		return out
	}
	switch f[0] {
	case "ring":
		r := Ring{Name: f[1], Select: sel(), Bake: dur(args["bake"]), TenantCap: atof(args["tenant_cap"]),
			MinHealthy: atof(args["min_healthy"]), Cover: splitList(args["cover"]),
			MinTaken: atof(args["min_taken"]), MinHostHours: atof(args["min_host_hours"])}
		_, r.NoHealthGate = args["no_health_gate"]
		_, r.Approval = args["approval"]
		for _, s := range splitList(args["steps"]) {
			r.Steps = append(r.Steps, atof(s))
		}
		for _, s := range splitList(args["bakes"]) {
			r.Bakes = append(r.Bakes, dur(s))
		}
		r.Linear, r.Exponential, r.Factor = atof(args["linear"]), atof(args["exponential"]), atof(args["factor"])
		r.CanaryHosts = atoi(args["canary_hosts"])
		for _, s := range splitList(args["approve_steps"]) {
			r.ApproveSteps = append(r.ApproveSteps, atoi(s))
		}
		p.Rings = append(p.Rings, r)
	case "rollout":
		p.StartDelay, p.FinalBake, p.PauseLimit = dur(args["start_delay"]), dur(args["final_bake"]), dur(args["pause_limit"])
	case "trigger":
		kinds := map[string]TriggerKind{"absolute": Absolute, "baseline": Baseline, "silence": Silence, "sequential": Sequential, "silence_baseline": SilenceBaseline}
		tr := Trigger{Name: f[1], Kind: kinds[f[2]], Signal: args["signal"], Threshold: atof(orDefault(args["above"], args["ratio"])),
			Rate: atof(args["rate"]), Ratio: atof(args["ratio"]), Alpha: atof(args["alpha"]), MinCount: atoi(args["min_count"])}
		tr.Attributed = args["attribute"] == "baseline"
		tr.By = splitList(args["by"])
		if err := tr.Action.UnmarshalText([]byte(args["action"])); err != nil {
			panic(err)
		}
		p.Triggers = append(p.Triggers, tr)
	case "blackout":
		p.Blackouts = append(p.Blackouts, Blackout{Name: f[1], From: parseAt(args["from"]), To: parseAt(args["to"]), Exempt: splitList(args["exempt"])})
	case "urgency":
		p.Urgencies = append(p.Urgencies, Urgency{Name: f[1], BakeScale: atof(args["bake_scale"])})
	case "tenant":
		tn := Tenant{Name: f[1], Select: sel(), Defer: dur(args["defer"]), OptOut: splitList(args["optout"])}
		for _, kd := range splitList(args["defer_kinds"]) { // KIND:DURATION,...
			k, d, _ := strings.Cut(kd, ":")
			tn.DeferKinds = append(tn.DeferKinds, KindDefer{Kind: k, Defer: dur(d)})
		}
		if w := args["window"]; w != "" {
			tn.Maintenance = append(tn.Maintenance, parseWindow(w))
		}
		p.Tenants = append(p.Tenants, tn)
	default:
		panic("unknown rule " + f[0])
	}
}

// parseWindow reads DAYS@HH:MM+LENGTH/ZONE, e.g. sat,sun@01:00+4h/Europe/London
// (DAYS may be * for every day).
func parseWindow(s string) Window {
	days, rest, _ := strings.Cut(s, "@")
	start, rest, _ := strings.Cut(rest, "+")
	length, zone, _ := strings.Cut(rest, "/")
	w := Window{Length: dur(length), Zone: mustZone(zone)}
	hh, mm, _ := strings.Cut(start, ":")
	w.Start = time.Duration(atoi(hh))*time.Hour + time.Duration(atoi(mm))*time.Minute
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	for _, d := range splitList(days) {
		if d != "*" {
			w.Days = append(w.Days, time.Weekday(slices.Index(names, d)))
		}
	}
	return w
}

func parseAt(s string) time.Time {
	if s == "" {
		panic("missing time")
	}
	if s[0] == '+' || s[0] == '-' {
		return t0.Add(dur(s))
	}
	return mustTime(s)
}

// fmtAt renders t as an offset from t0, e.g. +2h30m, with the wall clock.
func fmtAt(t time.Time) string {
	d := t.Sub(t0)
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if d == 0 {
		s = "0"
	}
	if d >= 0 {
		s = "+" + s
	}
	return fmt.Sprintf("%s (%s)", s, t.UTC().Format("Mon 15:04"))
}

func dur(s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func atoi(s string) int {
	if s == "" {
		return 0
	}
	return must(strconv.Atoi(s))
}

func atof(s string) float64 {
	if s == "" {
		return 0
	}
	return must(strconv.ParseFloat(s, 64))
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// cmdWarnings runs warnings: the plan's warnings and its tenants'.
func (r *session) cmdWarnings(name string, args map[string]string, input []string) string {
	var b strings.Builder
	for _, w := range append(r.plan.Warnings(), TenantWarnings(r.plan.Tenants)...) {
		fmt.Fprintln(&b, w)
	}
	return b.String()
}

// cmdTenants runs tenants: when each tenant's hosts may take each step of
// the schedule.
func (r *session) cmdTenants(name string, args map[string]string, input []string) string {
	var b strings.Builder
	p := r.fleet.Plan()
	s := p.Schedule(r.st.Update, r.st.Started)
	for _, tn := range p.Tenants {
		ts := must(p.TenantSchedule(s, r.st.Update, tn.Name))
		if ts.OptedOut {
			fmt.Fprintf(&b, "tenant %s: opted out\n", tn.Name)
			continue
		}
		for _, st := range ts.Steps {
			fmt.Fprintf(&b, "tenant %s ring %s step %d: from %s", tn.Name, st.Ring, st.Step+1, fmtAt(st.From))
			if st.Cap > 0 {
				fmt.Fprintf(&b, " (cap %g%%)", st.Cap)
			}
			for _, why := range st.Reasons {
				fmt.Fprintf(&b, " [%s]", why)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
