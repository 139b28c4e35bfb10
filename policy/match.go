package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ringwise/ringwise/rollout"
)

// A Rule is the rule of Select that picked a plan.
type Rule uint8

const (
	// ByName: the rollout named by the caller.
	ByName Rule = iota + 1
	// ByKind: the one rollout whose applies_to lists the update's kind.
	ByKind
	// ByDefault: no rollout lists the kind; the one rollout without
	// applies_to, which applies to every kind, was picked. A misspelt kind
	// lands here: see Match.Note.
	ByDefault
	// BySingle: neither name nor kind was given and the policy has one
	// rollout.
	BySingle
)

var ruleNames = [...]string{ByName: "by name", ByKind: "by kind", ByDefault: "by default", BySingle: "the only rollout"}

func (r Rule) String() string {
	if int(r) < len(ruleNames) && ruleNames[r] != "" {
		return ruleNames[r]
	}
	return fmt.Sprintf("Rule(%d)", r)
}

// A Match is the plan Select picks for an update and why.
type Match struct {
	Plan *rollout.Plan
	Rule Rule
	// Note explains a ByDefault match, for a person to check, when other
	// rollouts of the policy list kinds: no rollout lists this kind, so the
	// rollout for every kind applies; it names the closest listed kind when
	// the given one looks misspelt. Empty otherwise.
	Note string
}

// Match picks the plan for an update as Select does, and says which rule
// picked it. Programs should show Note (a kind that no rollout lists
// silently falls back to the rollout for every kind, which is right for a
// new kind and wrong for a typo).
//
// The error wraps ErrNoPlan or ErrAmbiguousPlan and lists the rollouts.
func (p *Policy) Match(kind, name string) (Match, error) {
	if name != "" {
		pl, ok := p.Plan(name)
		if !ok {
			return Match{}, selectErr(ErrNoPlan, "no rollout named %q (%s)", name, p.describe())
		}
		if kind != "" && !pl.Applies(kind) {
			return Match{}, selectErr(ErrNoPlan, "rollout %q does not apply to kind %q (%s)", name, kind, p.describe())
		}
		return Match{Plan: pl, Rule: ByName}, nil
	}
	if kind == "" {
		if len(p.Plans) == 1 {
			return Match{Plan: p.Plans[0], Rule: BySingle}, nil
		}
		if len(p.Plans) == 0 {
			return Match{}, selectErr(ErrNoPlan, "the policy defines no rollout")
		}
		return Match{}, selectErr(ErrAmbiguousPlan, "%d rollouts and no name or update kind to pick one (%s)", len(p.Plans), p.describe())
	}
	var explicit, all []*rollout.Plan
	var listed []string
	for _, pl := range p.Plans {
		listed = append(listed, pl.AppliesTo...)
		switch {
		case slices.Contains(pl.AppliesTo, kind):
			explicit = append(explicit, pl)
		case len(pl.AppliesTo) == 0:
			all = append(all, pl)
		}
	}
	for i, c := range [][]*rollout.Plan{explicit, all} {
		switch len(c) {
		case 0:
			continue
		case 1:
			if i == 0 {
				return Match{Plan: c[0], Rule: ByKind}, nil
			}
			m := Match{Plan: c[0], Rule: ByDefault}
			if len(listed) > 0 { // the policy routes some kinds: say this one was not
				m.Note = fmt.Sprintf("no rollout lists kind %q in applies_to, so rollout %q, which applies to every kind, was picked", kind, c[0].Name)
				if s := suggest(kind, listed); s != "" {
					m.Note += fmt.Sprintf(" (did you mean kind %q?)", s)
				}
			}
			return m, nil
		default:
			names := make([]string, len(c))
			for i, pl := range c {
				names[i] = pl.Name
			}
			return Match{}, selectErr(ErrAmbiguousPlan, "rollouts %s all apply to kind %q", strings.Join(names, ", "), kind)
		}
	}
	return Match{}, selectErr(ErrNoPlan, "no rollout applies to kind %q (%s)", kind, p.describe())
}
