// Package policy loads rollout policies written in HCL into compiled
// rollout.Plans, with diagnostics that point at the offending source.
//
// A policy is a directory. Load (or LoadPaths, for a command line) reads
// every file at its top level whose name ends in .hcl (HCL native syntax)
// or .hcl.json (HCL's JSON form), in name order, and compiles one
// rollout.Plan per rollout block. Tenant blocks are top level and apply to
// every rollout of the directory. Other files (Rego modules, JSON data)
// are read only when a gate block names them, and only through a
// GateLoader (package policy/rego).
//
// Every problem is reported as an hcl.Diagnostic with a Subject range;
// render them with WriteDiagnostics (one "FILE:LINE:COL: message" line, the
// source line and a caret line per problem) or with
// hcl.NewDiagnosticTextWriter, over Policy.Files. Load never panics on any
// input. Policy.Select picks the plan for an update by kind or name;
// Policy.Match does the same and says which rule picked it, with a note
// when a kind no rollout lists fell back to the rollout for every kind.
//
// # Language reference
//
// Values are literals: strings in quotes (heredocs included), numbers
// (a leading minus included), true and false, lists [...] and objects
// { ... }. Nothing is computed: references (var.x, or a bare word such as
// crash written without quotes), function calls (file("x")), arithmetic,
// comparisons, conditionals, for-expressions, index and splat expressions
// and template interpolations or directives ("${...}", "%{...}") are each
// the error "... not allowed" at the expression, saying what to write
// instead. The check is made on the syntax tree before any value is
// evaluated, so no expression costs more than its own size; a policy reads
// nothing but itself. In the JSON form a string holding "${" or "%{" is
// the error "Template not allowed" (write "$${" or "%%{" for the literal
// characters). Unknown blocks and attributes are errors, with a "Did you
// mean ...?" suggestion when one is close.
//
// Types used below:
//
//   - duration: a string in Go's syntax ("90s", "30m", "2h", "1h30m") with
//     an optional leading count of days of 24 hours ("2d", "1d12h",
//     "1.5d"). See ParseDuration.
//   - time: an RFC 3339 string, "2026-12-20T00:00:00Z".
//   - names: a list of strings, with no empty or repeated entries.
//
// Names (block labels) must be non-empty and unique among blocks of the
// same type in their scope: rollouts and tenants across the whole policy,
// rings, triggers, blackouts, gates and urgencies within their rollout.
//
// # rollout "NAME" (top level, repeatable)
//
// A rollout is one rolling plan for the update kinds it applies to.
//
//	applies_to  names, optional. Update kinds the rollout governs, e.g.
//	            ["content"]. Omitted: every kind. Must not be empty when
//	            given. Policy.Select picks a rollout by kind.
//	start_delay duration, optional, >= 0, default "0s". The first step
//	            begins this long after the rollout starts (AWS AppConfig's
//	            first increment comes one interval after the start:
//	            start_delay = the interval). An urgency's bake_scale
//	            shortens it as it does bakes.
//	final_bake  duration, optional, positive. Replaces the bake of the
//	            very last step (the last ring at 100%): the monitoring of
//	            the whole fleet before the rollout is complete. Omitted:
//	            the last step bakes as its ring says.
//	pause_limit duration, optional, positive. The longest the rollout may
//	            stay paused by hand, all pauses added up (Apple's phased
//	            release: 30 days). When it runs out, the rollout halts
//	            (it does not resume by itself): a person must resume it,
//	            as after a trigger's halt. Omitted: pauses last until
//	            unpaused.
//	ring        block, at least one, in order (see below).
//	trigger     block, any number.
//	blackout    block, any number.
//	gate        block, any number (needs a GateLoader).
//	urgency     block, any number.
//
// # ring "NAME" (in rollout)
//
// A ring is a set of hosts, exposed in cumulative canary steps. A host
// belongs to the first ring whose selector matches it.
//
//	select       block, optional, at most one. Each attribute is a host
//	             label = a string or a list of strings: the host's label
//	             must have one of the values (OR); all attributes must hold
//	             (AND). Omitted: every host not in an earlier ring. A
//	             negated label, label = { not = "v" } or
//	             { not = ["v1", "v2"] }, holds when the host's label is
//	             absent or none of the values (os = { not = "linux" }).
//	             A ring that can never receive a host (an earlier ring has
//	             no selector, or selects every host this one does) is a
//	             warning "Unreachable ring" at its select block.
//	steps        list of numbers, or a step generator object; required.
//	             As a list: cumulative percentages of the ring, strictly
//	             increasing, each in (0, 100], the last 100. As a
//	             generator (plan shows the steps it expands to):
//	               steps = { linear = 20 }     20, 40, 60, 80, 100: linear
//	                 is the percentage added each step, in (0, 100];
//	               steps = { exponential = 10 }  10, 20, 40, 80, 100:
//	                 exponential is the first step's percentage, in
//	                 (0, 100], each next step multiplies it by factor
//	                 (optional, > 1, default 2, as AWS AppConfig's G*2^N);
//	             the last step is always 100, and a generator may make at
//	             most 200 steps. A key other than linear, exponential and
//	             factor is an error ("Did you mean"); factor without
//	             exponential, or linear with exponential, is an error.
//	bake         duration, positive; required unless bakes is given. How
//	             long each step runs healthy before the next.
//	bakes        list of durations, optional, one per step (of the
//	             expanded steps), each positive; not with bake. The bake of
//	             each step in order (Apple's phased release: a day each);
//	             the release step of a tenant_cap bakes for the last.
//	canary_hosts whole number, optional, > 0. A first step that exposes
//	             this many hosts of the ring (all of them when the ring is
//	             smaller) before the steps; every later step exposes at
//	             least as many: canary_hosts = 10 with steps = [5, 100] is
//	             "10 hosts, then 5%, then 100%". With bakes, the canary step
//	             takes the first bake (bakes then lists one more).
//	cover        names, optional. Labels whose every value combination in
//	             the ring must be exposed and healthy before the ring
//	             completes.
//	tenant_cap   number, optional, in (0, 100]. The largest percentage of
//	             any one tenant's hosts updated while the steps run; the cap
//	             lifts in one more baked "release" step.
//	min_healthy  number, optional, in [0, 1], default 0.9
//	             (rollout.DefaultMinHealthy). Share of updated hosts that
//	             must report healthy before a bake ends. 0 is the
//	             explicit "no health gate" (rollout.Ring.NoHealthGate):
//	             bakes end on time alone, without the default min_taken,
//	             to simulate the schedule of a system that has no health
//	             gate for comparison; it loads with the warning "No health
//	             gate", which ringwise check shows.
//	min_taken    number, optional, in (0, 1], default 0.5
//	             (rollout.DefaultMinTaken). Share of the ring's hosts that
//	             the current step offers the update to that must have
//	             taken it before a bake ends: with hosts that check in
//	             hours apart, a bake's time can pass with a fifth of its
//	             hosts updated, and health judged on those few. The
//	             ring's updated hosts are counted as every updated host
//	             less the hosts of the earlier rings (a lower bound).
//	             Hosts that windows, deferrals or opt-outs keep waiting
//	             count as offered: keep min_taken below the share that
//	             can take the update within the bake.
//	min_host_hours number, optional, >= 0, default 0 (off). Exposure, in
//	             host-hours, the updated hosts must have run since the
//	             step started (rollout.Observation's Updated.Hours, which
//	             package simulate reports) before its bake ends, so that a
//	             fault whose onset is an hour after install meets enough
//	             running hosts. An observation without it holds the bake.
//	approval     bool, optional, default false. A person must approve
//	             before the rollout enters this ring.
//	approve_steps list of whole numbers, optional, not empty when given.
//	             Steps of the ring (counted from 1, from 2 to the ring's
//	             last step, counting a canary_hosts step and the release
//	             step of a tenant_cap) that wait, however long, for a
//	             human approval naming the ring and the step
//	             (rollout.Approval with Step): a manual promotion, as Argo
//	             Rollouts' pause {}. plan assumes it is granted at once
//	             and notes "needs approval".
//
// # trigger "NAME" (in rollout)
//
// A trigger halts or rolls back the rollout when a health signal goes bad.
// It takes exactly one of five forms; an attribute that its form does not
// use is an error (nothing is silently ignored).
//
//	signal     string, required. The health signal: "crash", "silent"
//	           (see BuiltinSignals) or a signal declared with a top-level
//	           signal block; any other name is the error "Unknown signal"
//	           (with "Did you mean"), since a trigger on a signal that no
//	           observation carries would hold every rollout (the engine
//	           fails closed on a missing signal) or, in a simulation, never
//	           fire. The name "silent" makes a silence trigger (with above)
//	           or a baseline silence trigger (with against = "baseline").
//	action     string, required: "halt" (stop, keep what is updated) or
//	           "rollback" (stop and revert).
//
// Absolute (rollout.Absolute): fires when the rate of signal events per
// updated host is above a threshold.
//
//	above      number, required, in (0, 1).
//	min_count  whole number, optional, >= 0, default 1: fewer events never fire.
//
// Silence (rollout.Silence), signal = "silent": fires when the share of
// updated hosts that stopped reporting is above a threshold.
//
//	above      number, required, in (0, 1).
//	min_count  whole number, optional, >= 0: fewer silent hosts never fire.
//
// Baseline silence (rollout.SilenceBaseline), signal = "silent" with
// against = "baseline": fires when the share of updated hosts that stopped
// reporting is more than ratio times the share of hosts not yet updated
// that are not reporting (rollout.Observation's Baseline.Silent over
// Baseline.Hosts; a baseline with no silent host counts as one). Hosts go
// offline all day, so an absolute bar low enough to catch a fault early
// also fires on normal churn; the baseline moves with the churn. With no
// baseline hosts (everything updated) it does not fire.
//
//	against    string, required: "baseline".
//	ratio      number, required, > 1.
//	min_count  whole number, optional, >= 0: fewer silent updated hosts
//	           never fire.
//
//	trigger "went-quiet" {
//	  signal    = "silent"
//	  against   = "baseline"
//	  ratio     = 3
//	  min_count = 10
//	  action    = "halt"
//	}
//
// Baseline (rollout.Baseline): fires when updated hosts' rate is more than
// ratio times the rate of hosts not yet updated.
//
//	against    string, required: "baseline".
//	ratio      number, required, > 1.
//	min_count  whole number, optional, >= 0.
//
// Sequential (rollout.Sequential): a sequential probability ratio test on
// events per host-hour, valid however often it is checked.
//
//	test       string, required: "sprt".
//	rate       number, required, > 0. Events per host-hour of a healthy update.
//	ratio      number, required, > 1. The rate multiple to detect.
//	alpha      number, required, in (0, 0.5). The false-alarm bound.
//
// Setting more than one of above, against and test is the error
// "Conflicting trigger forms".
//
// Attribution. An absolute, silence or sequential trigger reads the
// updated hosts alone, so an outage that hits every host (updated or not)
// fires it and rolls back an update that did nothing wrong. With
//
//	attribute  string, optional: "baseline" or "none"; default "none".
//
// set to "baseline" (rollout.Trigger.Attributed) the trigger's bar applies
// to what the update adds over the hosts not yet updated: above bounds
// the updated hosts' rate (or silent share) less the baseline's, so normal
// churn does not count against the update; a sequential test takes the
// larger of rate and the baseline's observed rate (its count over its
// host-hours) as the healthy rate. When the updated hosts cross the bar
// but not by more than the baseline does, the rollout holds (nothing
// advances, nothing is rolled back) and the decision says "fleet-wide
// failure, not attributable to this update: holding", with both cohorts'
// figures.
// Without the baseline's signal it cannot attribute and holds, as for any
// missing signal; with no host left in the baseline (the last step) it
// fires as "none" would, and says so. The default stays "none" so that a
// policy written before attribution acts exactly as it did, and a trigger
// never stays quiet on a misread baseline unless asked to; the
// recommended policy sets "baseline". Baseline and baseline silence
// triggers compare with the baseline by construction (a fleet-wide failure
// raises both rates), so attribute is an "Unexpected attribute" on them.
//
// Strata. A fault confined to one configuration (one OS build, one
// non-default option on 0.8% of the fleet) never crosses a fleet-wide bar.
// Every form takes
//
//	by  names, optional: host labels, e.g. ["os_build", "some_option"].
//
// (rollout.Trigger.By): the trigger is then evaluated on every stratum,
// each value combination of those labels among the fleet's hosts, each
// stratum's updated hosts against the same stratum's hosts not yet
// updated (rollout.Observation.ByStratum, which package simulate fills and
// a Go caller fills with rollout.StratumKey); the reason names the stratum
// that fired ("stratum os_build=19045: ..."). With attribute = "baseline",
// attribution compares with the same stratum's baseline. Multiple
// comparisons: a sequential test splits alpha evenly over the m strata of
// the fleet (Bonferroni; each test is valid however often it is checked,
// so the chance that any stratum ever fires on a healthy update stays at
// most alpha: rollout.TestStrataFalseAlarm measures 0.5% at alpha 1% over
// 4 strata, against 2.5% without the split). The bar forms (above,
// against = "baseline") are not tests and state no error rate: every
// stratum must cross the same bar with min_count events of its own, so set
// a min_count that a small stratum's noise does not reach, or use
// test = "sprt" for a stated rate. An observation without per-stratum
// counts holds the rollout (fail closed), and so does a fleet in which no
// host has any of the labels (a misspelt label). A ring's cover takes the same
// labels, so that a canary must include every such configuration before
// its ring completes:
//
//	ring "canary" {
//	  select { channel = "internal" }
//	  steps  = [100]
//	  bake   = "30m"
//	  cover  = ["os_build", "some_option"]
//	}
//	trigger "crash-by-config" {
//	  signal    = "crash"
//	  test      = "sprt"
//	  rate      = 0.0001
//	  ratio     = 3
//	  alpha     = 0.001
//	  by        = ["os_build", "some_option"]
//	  attribute = "baseline"
//	  action    = "halt"
//	}
//
// # blackout "NAME" (in rollout)
//
// A global freeze: nothing advances and no host takes the update in
// [from, to) unless the update's urgency is exempt.
//
//	from    time, required.
//	to      time, required, after from.
//	exempt  names, optional. Urgencies that may proceed, e.g. ["emergency"]:
//	        each is "routine" or the name of an urgency block of the same
//	        rollout ("Unknown urgency" otherwise: a misspelt exemption
//	        would silently exempt nothing).
//
// # urgency "NAME" (in rollout)
//
// An urgency class, named by rollout.Update.Urgency. It shortens bakes; it
// never skips the first ring and never disables a trigger.
//
//	bake_scale  number, required, in (0, 1]. Multiplies every bake.
//
// # gate "NAME" (in rollout)
//
// A Rego policy consulted before each transition. Loading one needs a
// GateLoader (WithGateLoader(rego.NewLoader()) from package policy/rego);
// without one a gate block is an error. Paths are relative to the policy
// directory and may not leave it (no leading "/", no "..").
//
//	rego     string or list of strings, required. Rego module paths.
//	data     string or list of strings, optional. JSON or YAML data paths.
//	query    string, optional. The query to evaluate (loader default).
//	timeout  duration, optional, positive (loader default).
//
// # signal "NAME" (top level, repeatable)
//
// Declares a health signal beyond the built-in "crash" and "silent", so
// that triggers may watch it: a promise that the observations given to the
// engine (rollout.Cohort.Signals) carry it by this name. Signals apply to
// every rollout of the policy.
//
//	description  string, optional. What the signal counts.
//
//	signal "cpu" {
//	  description = "CPU saturation events reported by the sensor"
//	}
//
// # tenant "NAME" (top level, repeatable)
//
// Per-tenant rules for the hosts the selector matches (the first matching
// tenant wins). Tenants apply to every rollout of the policy. A tenant
// whose selector overlaps an earlier tenant's (a host can match both, so
// the later one's rules never apply to it) is a warning "Overlapping
// tenants" at its select block.
//
// Warnings do not stop a policy from loading: ringwise check prints them
// and exits 0; check -strict makes them errors.
//
//	select       block, optional, at most one; as in ring.
//	defer        duration, optional, >= 0. The tenant takes an update this
//	             long after it reaches general availability (the rollout
//	             entered its last ring).
//	defer_kinds  object of durations by update kind, optional, each
//	             >= 0: overrides defer for those kinds (as Windows Update
//	             for Business defers quality and feature updates apart):
//	             defer_kinds = { content = "0s", sensor = "72h" }.
//	             plan -tenant NAME shows the deferral that applies.
//	opt_out      names, optional. Update kinds the tenant never takes.
//	maintenance  block, repeatable. When any is given, hosts take updates
//	             only inside one of the windows.
//
// # maintenance (in tenant, no label)
//
// A recurring window in the tenant's own time zone; it may cross midnight.
//
//	days   list of strings, optional, not empty when given. Weekdays on
//	       which the window opens: mon, tue, wed, thu, fri, sat, sun or the
//	       full names, in any case. Omitted: every day.
//	start  string, required. Local wall-clock opening time "HH:MM", from
//	       00:00 to 23:59.
//	hours  number, required, may be fractional, at least one minute (1/60)
//	       and at most 168. The window's length (rollout.Window.Length).
//	zone   string, required. An IANA time zone ("Europe/London", "UTC")
//	       loaded with time.LoadLocation; "Local" is refused. Programs that
//	       may run without a zoneinfo database (js/wasm, some containers)
//	       should import time/tzdata.
//
// # JSON form
//
// A file ending in .hcl.json holds the same blocks in HCL's JSON syntax:
//
//	{"rollout": {"content": {"applies_to": ["content"],
//	  "ring": {"canary": {"steps": [100], "bake": "30m"}}}}}
//
// # Limits
//
// Files larger than DefaultMaxFileSize (1 MiB; see WithMaxFileSize) and
// files that are not valid UTF-8 are errors. A directory without policy
// files is an error.
package policy
