package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// BuiltinSignals are the health signals a trigger may name without
// declaring them: "crash" (crash events reported by updated hosts) and
// SilentSignal (hosts that stopped reporting, counted by the engine
// itself). Any other signal is declared with a top-level signal block.
var BuiltinSignals = []string{"crash", SilentSignal}

// RoutineUrgency is the urgency of an update that names none; a blackout
// may exempt it like any urgency block of its rollout.
const RoutineUrgency = "routine"

// nameRef is a name written in a policy that must name something else.
type nameRef struct {
	name string
	rng  hcl.Range
	plan int // index of the pending plan it belongs to, or -1
}

// unknownName reports ref, which names no known thing of its kind.
func (l *loader) unknownName(ref nameRef, what, attr string, known []string, hint string) {
	detail := fmt.Sprintf("%s names %s %q, which is not defined.", attr, what, ref.name)
	if s := suggest(ref.name, known); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	detail += " " + hint
	if len(known) > 0 {
		quoted := make([]string, len(known))
		for i, k := range known {
			quoted[i] = fmt.Sprintf("%q", k)
		}
		detail += " Known: " + strings.Join(quoted, ", ") + "."
	}
	l.errorf(ref.rng, "Unknown "+what, "%s", detail)
}

// checkSignals reports every trigger signal that is neither built in nor
// declared, and marks its plan as failed.
func (l *loader) checkSignals(pending []pendingPlan) {
	known := slices.Clone(BuiltinSignals)
	for name := range l.signals {
		known = append(known, name)
	}
	slices.Sort(known)
	for _, ref := range l.signalRefs {
		if slices.Contains(known, ref.name) {
			continue
		}
		l.unknownName(ref, "signal", "signal", known,
			`A trigger watches "crash", "silent" or a signal declared with a top-level signal "NAME" block, which says that the observations carry it.`)
		if ref.plan >= 0 {
			pending[ref.plan].ok = false
		}
	}
}

// checkExempt reports every blackout exemption that names no urgency of
// its rollout.
func (l *loader) checkExempt(refs []nameRef, urgencies []string) {
	known := append([]string{RoutineUrgency}, urgencies...)
	for _, ref := range refs {
		if !slices.Contains(known, ref.name) {
			l.unknownName(ref, "urgency", "exempt", known,
				`An exempt urgency is "routine" or the name of an urgency block of the same rollout; a misspelt one would exempt nothing.`)
		}
	}
}

// checkOptOut warns of a tenant's opt_out kind that no rollout lists but
// that is close to one that does: a misspelt opt-out opts out of nothing.
// A kind far from every listed one is left alone: a tenant file may be
// shared by policies with other rollouts, or opt out ahead of a rollout.
func (l *loader) checkOptOut(pending []pendingPlan) {
	var known []string
	for _, pp := range pending {
		for _, k := range pp.plan.AppliesTo {
			if !slices.Contains(known, k) {
				known = append(known, k)
			}
		}
	}
	for _, ref := range l.optOutRefs {
		if slices.Contains(known, ref.name) {
			continue
		}
		if s := suggest(ref.name, known); s != "" {
			r := ref.rng
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Unlisted update kind",
				Detail:   fmt.Sprintf("opt_out names update kind %q, which no rollout lists (applies_to). Did you mean %q?", ref.name, s),
				Subject:  &r,
			})
		}
	}
}
