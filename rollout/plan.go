package rollout

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Source is a position in a policy file: where a rule was written. Reasons in
// a Decision carry the Source of the rule that caused them so that a person
// can jump from "why did it hold?" to the line that made it hold.
//
// The zero value means "not from a file" (a plan built in Go).
type Source struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// String renders the position as FILE:LINE:COL, or "" for the zero value.
func (s Source) String() string {
	if s.File == "" && s.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column)
}

// Update is what is rolled out.
type Update struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`              // e.g. "sensor", "content", "config"
	Urgency string `json:"urgency,omitempty"` // e.g. "routine", "expedited", "emergency"; "" is routine
}

// Match is one term of a Selector: the label Key must have one of Values,
// or, when Not is set, must not (a host without the label satisfies a
// negated term).
type Match struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
	Not    bool     `json:"not,omitempty"`
}

// holds reports whether labels satisfy the term.
func (m *Match) holds(labels map[string]string) bool {
	v, ok := labels[m.Key]
	return (ok && slices.Contains(m.Values, v)) != m.Not
}

// Selector selects hosts by labels. A host matches when every Match holds
// (AND across keys, OR within a key's values). The empty selector matches
// every host.
type Selector []Match

// Matches reports whether labels satisfy the selector. It does not allocate.
func (s Selector) Matches(labels map[string]string) bool {
	for i := range s {
		if !s[i].holds(labels) {
			return false
		}
	}
	return true
}

// String renders the selector as `key=v1|v2, key2!=v3`, or "*" when empty.
func (s Selector) String() string {
	if len(s) == 0 {
		return "*"
	}
	parts := make([]string, len(s))
	for i, m := range s {
		op := "="
		if m.Not {
			op = "!="
		}
		parts[i] = m.Key + op + strings.Join(m.Values, "|")
	}
	return strings.Join(parts, ", ")
}

// Ring is one stage of a rollout: a set of hosts (those its Selector matches
// that no earlier ring matched) exposed in cumulative canary Steps.
type Ring struct {
	Name   string
	Select Selector
	// Steps are cumulative percentages of the ring, strictly increasing,
	// each in (0, 100], the last exactly 100.
	Steps []float64
	// Bake is how long each step must run healthy before the next. It may
	// be zero when Bakes gives every step its own.
	Bake time.Duration
	// Bakes, when not empty, gives each step its own bake (one per step,
	// in order; the release step of a tenant cap bakes for the last).
	Bakes []time.Duration
	// Linear, Exponential and Factor generate Steps when Steps is empty
	// (see steps.go): Linear adds Linear percent a step (20: 20, 40, ...,
	// 100); Exponential starts at Exponential percent and multiplies by
	// Factor (default 2) a step, ending at 100. Compile fills Steps.
	Linear      float64
	Exponential float64
	Factor      float64
	// CanaryHosts, when > 0, adds a first step that exposes this many
	// hosts of the ring (all of them when the ring is smaller) before
	// Steps; every later step exposes at least as many ("10 hosts, then
	// 5%, then 100%"). It never exposes more hosts than the ring has.
	CanaryHosts int
	// ApproveSteps lists steps (counted from 1, at least 2: step 1 is
	// entering the ring, which Approval gates) that need a human approval
	// naming this ring and the step before the rollout may take them:
	// a manual promotion, as Argo Rollouts' pause {}.
	ApproveSteps []int
	// Cover lists labels whose every value combination (stratum) present in
	// the ring must be exposed first and must have reported healthy before
	// the ring can complete.
	Cover []string
	// TenantCap, when > 0, is the largest percentage of any one tenant's
	// hosts in this ring that may be updated while the steps run. Once the
	// last step has baked, the cap lifts and the ring runs one more baked
	// step, "release", for the capped remainder.
	TenantCap float64
	// MinHealthy is the share of updated hosts, in (0, 1], that must have
	// reported healthy since updating before a bake may end. Zero means
	// DefaultMinHealthy.
	MinHealthy float64
	// MinTaken, MinHostHours and NoHealthGate make a bake end on evidence
	// rather than on the clock (see bake.go). MinTaken is the share, in
	// (0, 1], of the ring's hosts the current step offers the update to
	// (Fleet.Target) that must have taken it before a bake may end; zero
	// means DefaultMinTaken. MinHostHours, when > 0, is the exposure in
	// host-hours (Observation.Updated.Hours) the updated hosts must have
	// run since the step started before its bake may end. NoHealthGate
	// ends bakes without healthy reports (MinHealthy and the default
	// MinTaken do not apply): only for modelling schedules of systems that
	// have no health gate; Compile refuses it with MinHealthy.
	MinTaken     float64
	MinHostHours float64
	NoHealthGate bool
	// Approval, when true, requires a human approval naming this ring before
	// the rollout may enter it.
	Approval bool
	Src      Source
}

// DefaultMinHealthy is the share of updated hosts that must report healthy
// before a bake ends when a ring does not set MinHealthy.
const DefaultMinHealthy = 0.9

// TenantLabel is the host label that names a host's tenant for tenant caps.
const TenantLabel = "tenant"

// minHealthy returns the ring's effective MinHealthy.
func (r *Ring) minHealthy() float64 {
	if r.MinHealthy > 0 {
		return r.MinHealthy
	}
	return DefaultMinHealthy
}

// TriggerKind says how a trigger reads its signal.
type TriggerKind uint8

const (
	// Absolute fires when the updated hosts' rate of Signal (events per
	// updated host) is above Threshold.
	Absolute TriggerKind = iota + 1
	// Baseline fires when the updated hosts' rate of Signal is more than
	// Threshold times the rate among hosts not yet updated.
	Baseline
	// Silence fires when the share of updated hosts that stopped reporting
	// is above Threshold. Signal is ignored.
	Silence
	// Sequential is a one-sided sequential probability ratio test on the
	// count of Signal events per host-hour of exposure: it fires when the
	// likelihood ratio of "rate = Ratio x Rate" against "rate = Rate" reaches
	// 1/Alpha. Its false-alarm probability, however often it is checked, is
	// at most Alpha (see Sequential test docs in sequential.go).
	Sequential
	// SilenceBaseline fires when the share of updated hosts that stopped
	// reporting is more than Threshold (a ratio, > 1) times the share of
	// hosts not yet updated that are not reporting (Observation.Baseline's
	// Silent over its Hosts, counting at least one silent host). Hosts go
	// offline all the time (laptops close, shifts end), so an absolute bar
	// must sit above the worst normal churn; against the baseline the bar
	// moves with the fleet's own churn. Signal is ignored.
	//
	// It is a kind of its own, not an option of Silence, because its
	// Threshold is a ratio (as for Baseline) and it needs a baseline to
	// compare with: with no baseline hosts it does not fire.
	SilenceBaseline
)

var triggerKindNames = [...]string{"", "absolute", "baseline", "silence", "sequential", "silence_baseline"}

// silence reports whether the kind reads silent hosts rather than a signal.
func (k TriggerKind) silence() bool { return k == Silence || k == SilenceBaseline }

func (k TriggerKind) String() string {
	if int(k) < len(triggerKindNames) {
		return triggerKindNames[k]
	}
	return fmt.Sprintf("TriggerKind(%d)", k)
}

// Trigger is a rule over health signals that halts or rolls back a rollout.
type Trigger struct {
	Name   string
	Kind   TriggerKind
	Signal string // signal name, e.g. "crash"; unused by Silence and SilenceBaseline
	// Threshold: the rate for Absolute and Silence, the ratio for Baseline
	// and SilenceBaseline.
	Threshold float64
	// MinCount is the number of events (Absolute, Baseline) or silent
	// updated hosts (Silence, SilenceBaseline) below which the trigger never
	// fires. Zero means 1.
	MinCount int
	// Rate (events per host-hour under a healthy update), Ratio (> 1, the
	// rate multiple to detect) and Alpha (false-alarm bound, in (0, 0.5))
	// configure Sequential.
	Rate  float64
	Ratio float64
	Alpha float64
	// Action is Halt or Rollback.
	Action Action
	// Attributed, for Absolute, Silence and Sequential triggers, makes the
	// trigger fire only when the hosts not yet updated (the baseline) do
	// not show the same condition; when they do, the failure is not the
	// update's and the rollout holds with the reason "fleet-wide failure,
	// not attributable to this update: holding" (see attribution.go). The
	// zero value fires on the updated hosts alone, as before.
	Attributed bool
	// By, when set, lists host labels: the trigger is evaluated on every
	// stratum (value combination of these labels among the fleet's
	// hosts), each stratum's updated hosts against the same stratum's
	// baseline, from Observation.ByStratum; the reason names the stratum
	// that fires. A Sequential trigger splits Alpha over the strata (see
	// strata.go).
	By  []string
	Src Source
}

// Blackout is a global freeze: no host takes an update and no rollout
// advances in [From, To), unless the update's urgency is in Exempt.
type Blackout struct {
	Name   string
	From   time.Time
	To     time.Time
	Exempt []string // urgency names that may proceed
	Src    Source
}

// Applies reports whether the blackout freezes an update of this urgency.
func (b *Blackout) Applies(urgency string) bool {
	if urgency == "" {
		urgency = "routine" // an update without an urgency is routine
	}
	return !slices.Contains(b.Exempt, urgency)
}

// Urgency is an urgency class: an update with this urgency bakes for
// BakeScale times each ring's bake. An urgency never skips the first ring
// and never disables a trigger.
type Urgency struct {
	Name      string
	BakeScale float64 // in (0, 1]
	Src       Source
}

// Tenant is a per-tenant policy applied to the hosts its Selector matches
// (the first matching tenant wins).
type Tenant struct {
	Name   string
	Select Selector
	// Defer delays the update for this tenant until Defer after it reached
	// general availability (the rollout entered its last ring).
	Defer time.Duration
	// DeferKinds override Defer for the update kinds they name (as Windows
	// Update for Business defers quality and feature updates apart): the
	// first entry whose Kind is the update's wins.
	DeferKinds []KindDefer
	// Maintenance windows: when non-empty, hosts take updates only inside
	// one of them.
	Maintenance []Window
	// OptOut lists update kinds this tenant never takes through a rollout.
	OptOut []string
	Src    Source
}

// Plan is a compiled rollout policy: the ordered rings and the rules that
// constrain them. Build one with Compile (or load one with package policy).
//
// A Plan returned by Compile is immutable and safe for concurrent use; do
// not modify its fields afterwards.
type Plan struct {
	Name      string
	AppliesTo []string // update kinds; empty means all
	Rings     []Ring
	Triggers  []Trigger
	Blackouts []Blackout
	Urgencies []Urgency
	Tenants   []Tenant
	Gates     []GateBinding
	// StartDelay is how long after the rollout starts its first step
	// begins (as AWS AppConfig, whose first increment comes one interval
	// after the start). Zero: at once.
	StartDelay time.Duration
	// FinalBake, when positive, replaces the bake of the very last step
	// (the last ring at 100%): the monitoring after the whole fleet has
	// the update, before the rollout is complete.
	FinalBake time.Duration
	// PauseLimit, when positive, is the longest a rollout may stay paused
	// by hand in all (Apple's phased release: 30 days). When a pause would
	// make the total longer, the rollout halts instead (fail closed: a
	// person must Resume it, with an observation), saying why.
	PauseLimit time.Duration
	Src        Source

	digest        string
	rules         planRules // set by Compile
	blackoutSpans []span    // Blackouts' times, for the host call (set by Compile)
}

// span is [from, to) as instants.
type span struct{ from, to instant }

// planRules are the names reasons give the plan's rules (`ring "canary"`),
// prepared once by Compile so that a decision does not format them again.
type planRules struct {
	plan                       string
	rings, triggers, blackouts []string
}

// prepareRules fills p.rules and p.blackoutSpans.
func (p *Plan) prepareRules() {
	p.rules.plan = fmt.Sprintf("rollout %q", p.Name)
	p.rules.rings = make([]string, len(p.Rings))
	for i, r := range p.Rings {
		p.rules.rings[i] = fmt.Sprintf("ring %q", r.Name)
	}
	p.rules.triggers = make([]string, len(p.Triggers))
	for i, t := range p.Triggers {
		p.rules.triggers[i] = fmt.Sprintf("trigger %q", t.Name)
	}
	p.rules.blackouts = make([]string, len(p.Blackouts))
	p.blackoutSpans = make([]span, len(p.Blackouts))
	for i, b := range p.Blackouts {
		p.rules.blackouts[i] = fmt.Sprintf("blackout %q", b.Name)
		p.blackoutSpans[i] = span{instantOf(b.From), instantOf(b.To)}
	}
}

// Digest identifies the plan's content. A running rollout records it; when a
// plan with another digest is used on that state, the engine holds until the
// caller adopts the new plan (see Adopt).
func (p *Plan) Digest() string { return p.digest }

// Applies reports whether the plan governs updates of this kind.
func (p *Plan) Applies(kind string) bool {
	return len(p.AppliesTo) == 0 || slices.Contains(p.AppliesTo, kind)
}

// Ring returns the index of the ring named name, or -1.
func (p *Plan) Ring(name string) int {
	return slices.IndexFunc(p.Rings, func(r Ring) bool { return r.Name == name })
}

// Urgency returns the urgency class named name, if the plan defines it.
func (p *Plan) Urgency(name string) (Urgency, bool) {
	i := slices.IndexFunc(p.Urgencies, func(u Urgency) bool { return u.Name == name })
	if i < 0 {
		return Urgency{}, false
	}
	return p.Urgencies[i], true
}

// CheckUpdate validates u for this plan and returns it as a rollout
// records it: the one check of an update shared by Fleet.Start, the CLI
// and the playground. The ID must be set; ID, kind and urgency must be
// valid UTF-8; an empty Kind becomes the first kind the plan applies to
// (so that tenant opt-outs by kind apply), and the kind must be one the
// plan applies to; the urgency must be empty, "routine" or one of the
// plan's urgency classes.
func (p *Plan) CheckUpdate(u Update) (Update, error) {
	if u.ID == "" {
		return u, errors.New("rollout: update needs an ID")
	}
	for _, e := range [...]error{textError("update ID", u.ID), textError("update kind", u.Kind), textError("update urgency", u.Urgency)} {
		if e != nil {
			return u, e
		}
	}
	if u.Kind == "" && len(p.AppliesTo) > 0 {
		u.Kind = p.AppliesTo[0]
	}
	if !p.Applies(u.Kind) {
		return u, fmt.Errorf("rollout: plan %q does not apply to updates of kind %q (applies_to %q)", p.Name, u.Kind, p.AppliesTo)
	}
	if u.Urgency != "" && u.Urgency != "routine" {
		if _, ok := p.Urgency(u.Urgency); !ok {
			names := []string{"routine"}
			for _, c := range p.Urgencies {
				names = append(names, c.Name)
			}
			return u, fmt.Errorf("rollout: rollout %q defines no urgency %q (urgencies: %s)", p.Name, u.Urgency, strings.Join(names, ", "))
		}
	}
	return u, nil
}

// bakeScale returns the bake multiplier for an urgency (1 when the plan
// defines no such class).
func (p *Plan) bakeScale(urgency string) float64 {
	if u, ok := p.Urgency(urgency); ok {
		return u.BakeScale
	}
	return 1
}

// BakeFor returns the ring's Bake scaled for an update of urgency: how
// long each of its steps bakes unless the ring lists Bakes or the step is
// the plan's last and FinalBake is set. StepBake gives any one step's.
func (p *Plan) BakeFor(ring int, urgency string) time.Duration {
	bake := p.Rings[ring].Bake
	if s := p.bakeScale(urgency); s != 1 {
		// At least a nanosecond: a step that bakes for no time at all would
		// let one observation advance the rollout twice at the same instant.
		bake = max(time.Duration(float64(bake)*s), time.Nanosecond)
	}
	return bake
}

// Steps returns the number of steps ring i runs, counting the release step
// that lifts a tenant cap.
func (p *Plan) Steps(i int) int {
	n := p.Rings[i].baseSteps()
	if p.Rings[i].TenantCap > 0 {
		n++
	}
	return n
}

// StepPercent returns the cumulative percentage of ring i exposed at step
// j and whether the tenant cap binds at that step. A step of a number of
// hosts (see StepHosts) has percent 0.
func (p *Plan) StepPercent(i, j int) (percent float64, capped bool) {
	r := &p.Rings[i]
	if j >= r.baseSteps() {
		return 100, false
	}
	if r.CanaryHosts > 0 {
		if j == 0 {
			return 0, r.TenantCap > 0
		}
		j--
	}
	return r.Steps[j], r.TenantCap > 0
}
