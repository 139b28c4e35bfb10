package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

// Policy is a loaded policy directory: its compiled plans and tenants, and
// the parsed files for rendering diagnostics.
//
// Load always returns a non-nil Policy. When its diagnostics have errors,
// Plans and Tenants hold only what loaded cleanly and should not be used to
// roll anything out; Files is still complete enough to render the
// diagnostics with hcl.NewDiagnosticTextWriter.
//
// A Policy is not modified after Load returns and is safe for concurrent
// reads; its plans are immutable (see rollout.Plan).
type Policy struct {
	Plans   []*rollout.Plan      // compiled, in file and declaration order
	Tenants []rollout.Tenant     // top-level tenant blocks (also copied into every plan's Tenants)
	Files   map[string]*hcl.File // by file name as used in diagnostics
}

// Plan returns the plan of the rollout block named name.
func (p *Policy) Plan(name string) (*rollout.Plan, bool) {
	for _, pl := range p.Plans {
		if pl.Name == name {
			return pl, true
		}
	}
	return nil, false
}

// Errors returned by Select. They are wrapped with the rollouts the policy
// does define, so the message alone tells a person what to pick.
var (
	ErrNoPlan        = errors.New("policy: no rollout matches")
	ErrAmbiguousPlan = errors.New("policy: more than one rollout matches")
)

// selectError is an error from Select: its own message, wrapping ErrNoPlan
// or ErrAmbiguousPlan for errors.Is.
type selectError struct {
	kind error
	msg  string
}

func (e *selectError) Error() string { return "policy: " + e.msg }
func (e *selectError) Unwrap() error { return e.kind }

func selectErr(kind error, format string, args ...any) error {
	return &selectError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Select picks the plan for an update: the rollout named name when name is
// not empty, otherwise the one rollout whose applies_to lists kind. When no
// rollout lists kind, the one rollout without applies_to (which applies to
// every kind) is picked. With neither name nor kind, a policy with a single
// rollout selects it. Match does the same and says which of these rules
// picked the plan.
//
// The error wraps ErrNoPlan or ErrAmbiguousPlan and lists the rollouts.
func (p *Policy) Select(kind, name string) (*rollout.Plan, error) {
	m, err := p.Match(kind, name)
	return m.Plan, err
}

// describe lists the rollouts as `rollouts: content [content], sensor [sensor]`.
func (p *Policy) describe() string {
	if len(p.Plans) == 0 {
		return "the policy defines no rollout"
	}
	parts := make([]string, len(p.Plans))
	for i, pl := range p.Plans {
		kinds := "all kinds"
		if len(pl.AppliesTo) > 0 {
			kinds = strings.Join(pl.AppliesTo, ", ")
		}
		parts[i] = fmt.Sprintf("%s [%s]", pl.Name, kinds)
	}
	return "rollouts: " + strings.Join(parts, "; ")
}
