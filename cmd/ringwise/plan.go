package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringwise/ringwise/rollout"
)

func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("plan", "[-json] [-start RFC3339] [-kind KIND] [-urgency NAME] [-rollout NAME] [-tenant NAME] PATH...", `
Plan prints the nominal schedule of a rollout: when each step starts if
every signal stays healthy and every approval is granted at once.
Blackouts that apply to the update's urgency delay step starts. The PATHs
(directories or files) are loaded together as one policy.

The rollout is the one named by -rollout, or the one whose applies_to
lists -kind; a policy with a single rollout needs neither.

With -json the schedule is printed as
  {"rollout": NAME, "start": T, "steps": [{"ring": NAME, "step": K,
   "percent": P, "start": T, "offset_seconds": N, "bake_seconds": B,
   "notes": [...], "delays": [...]}, ...], "complete": T}
with times in RFC 3339 UTC, step counted from 1 within the ring, percent
the cumulative share of the ring, offset_seconds counted from -start, and
notes and delays (left out when empty) as in the table's NOTES.

With -tenant NAME (repeatable) plan also says when that tenant's hosts may
take each step of every ring they may be in: the step's start moved by
the tenant's deferral (from general availability, the start of the last
ring), the blackouts and its maintenance windows, with the tenant cap
that binds at the step. In JSON it is the "tenants" list:
  [{"tenant": NAME, "opted_out": B, "steps": [{"ring": NAME, "step": K,
   "percent": P, "start": T, "from": T, "from_offset_seconds": N,
   "tenant_cap": C, "reasons": [...]}, ...]}, ...]`)
	asJSON := fs.Bool("json", false, "print the schedule as JSON")
	startFlag := fs.String("start", "", "when the rollout starts, RFC 3339 (default now)")
	kind := fs.String("kind", "", "update `kind`: pick the rollout whose applies_to lists it")
	urgency := fs.String("urgency", "", "update urgency `name`, e.g. emergency (default routine)")
	name := fs.String("rollout", "", "pick the rollout `name`d")
	var tenants []string
	fs.Func("tenant", "show when the tenant `name`d gets each step (repeatable)", func(v string) error {
		tenants = append(tenants, v)
		return nil
	})
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "ringwise plan: no policy path given\n")
		usageError(fs, stderr)
		return 2
	}
	start := time.Now().UTC().Truncate(time.Second)
	if *startFlag != "" {
		t, err := time.Parse(time.RFC3339, *startFlag)
		if err != nil {
			fmt.Fprintf(stderr, "ringwise plan: -start %q is not an RFC 3339 time such as 2026-01-05T09:00:00Z\n", *startFlag)
			return 2
		}
		start = t
	}
	p, ok := loadPolicy(fs.Args(), stderr)
	if !ok {
		return 1
	}
	m, err := p.Match(*kind, *name)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise plan: %s; pick one with -rollout NAME or -kind KIND\n", strings.TrimPrefix(err.Error(), "policy: "))
		return 2
	}
	if m.Note != "" {
		fmt.Fprintf(stderr, "ringwise plan: note: %s\n", m.Note)
	}
	plan := m.Plan
	// The engine's own check of an update: a schedule at routine speed
	// labelled with a misspelt urgency would mislead.
	u, err := plan.CheckUpdate(rollout.Update{ID: "plan", Kind: *kind, Urgency: *urgency})
	if err != nil {
		fmt.Fprintf(stderr, "ringwise plan: %s\n", strings.TrimPrefix(err.Error(), "rollout: "))
		return 2
	}
	s := plan.Schedule(u, start)
	for _, name := range tenants {
		ts, err := plan.TenantSchedule(s, u, name)
		if err != nil {
			fmt.Fprintf(stderr, "ringwise plan: -tenant: %s\n", strings.TrimPrefix(err.Error(), "rollout: "))
			return 2
		}
		s.Tenants = append(s.Tenants, ts)
	}
	if *asJSON {
		return writePlanJSON(stdout, stderr, s)
	}
	writePlanTable(stdout, plan, u, start, s)
	return 0
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func writePlanJSON(stdout, stderr io.Writer, s rollout.Schedule) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.JSON()); err != nil {
		fmt.Fprintf(stderr, "ringwise plan: %v\n", err)
		return 1
	}
	return 0
}

func writePlanTable(w io.Writer, plan *rollout.Plan, u rollout.Update, start time.Time, s rollout.Schedule) {
	urgency := u.Urgency
	if urgency == "" {
		urgency = "routine"
	}
	kind := "an update of any kind"
	if u.Kind != "" {
		kind = fmt.Sprintf("a %s update", u.Kind)
	}
	fmt.Fprintf(w, "rollout %q for %s (urgency %s), starting %s\n", plan.Name, kind, urgency, rfc3339(start))
	fmt.Fprintf(w, "assuming healthy signals, approvals granted at once")
	if len(plan.Gates) > 0 {
		names := make([]string, len(plan.Gates))
		for i, g := range plan.Gates {
			names[i] = g.Name
		}
		fmt.Fprintf(w, " and gates (%s) passing", strings.Join(names, ", "))
	}
	fmt.Fprintf(w, "\n\n")
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RING\tSTEP\tPERCENT\tSTART\tOFFSET\tBAKE\tNOTES")
	for _, st := range s.Steps {
		notes := append(slices.Clone(st.Notes), st.Reasons...)
		share := fmt.Sprintf("%g%%", st.Percent)
		if st.Hosts > 0 {
			share = fmt.Sprintf("%d hosts", st.Hosts)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t+%s\t%s\t%s\n", st.Ring, st.Step+1, share,
			rfc3339(st.Start), shortDuration(st.Start.Sub(start)), shortDuration(st.Bake), strings.Join(notes, "; "))
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		io.WriteString(w, strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			io.WriteString(w, "\n")
		}
	}
	fmt.Fprintf(w, "\ncomplete %s (+%s)\n", rfc3339(s.Complete), shortDuration(s.Complete.Sub(start)))
	for _, ts := range s.Tenants {
		writeTenantTable(w, start, ts)
	}
}

// writeTenantTable prints when a tenant's hosts may take each step.
func writeTenantTable(w io.Writer, start time.Time, ts rollout.TenantSchedule) {
	fmt.Fprintf(w, "\ntenant %q", ts.Tenant)
	if ts.OptedOut {
		fmt.Fprintf(w, ": opted out of this kind of update, never offered it\n")
		return
	}
	fmt.Fprintf(w, ": when its hosts may take each step\n\n")
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RING\tSTEP\tPERCENT\tSTEP START\tTENANT FROM\tOFFSET\tWHY")
	for _, st := range ts.Steps {
		share := fmt.Sprintf("%g%%", st.Percent)
		if st.Hosts > 0 {
			share = fmt.Sprintf("%d hosts", st.Hosts)
		}
		why := slices.Clone(st.Reasons)
		if st.Cap > 0 {
			why = append(why, fmt.Sprintf("at most %g%% of its hosts in the ring", st.Cap))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t+%s\t%s\n", st.Ring, st.Step+1, share, rfc3339(st.Start), rfc3339(st.From),
			shortDuration(st.From.Sub(start)), strings.Join(why, "; "))
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		io.WriteString(w, strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			io.WriteString(w, "\n")
		}
	}
}

// shortDuration renders d as "2d4h30m", dropping zero parts ("0s" for 0).
func shortDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if d > 0 {
		fmt.Fprintf(&b, "%s", d)
	}
	return b.String()
}
