package rollout

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// Gate is an external check on a transition, such as a Rego policy (see
// package policy/rego). The engine consults gates only when the plan itself
// would advance; a gate can hold, halt or roll back, never make a rollout
// advance that the plan would hold, and is never consulted for a rollback.
//
// Implementations must be safe for concurrent use and deterministic for the
// same input. An error, a timeout (ctx) or a malformed verdict holds the
// rollout: gates fail closed.
type Gate interface {
	Evaluate(ctx context.Context, in GateInput) (GateVerdict, error)
}

// GateInput is what a gate sees of a proposed transition.
type GateInput struct {
	Now       time.Time   `json:"now"`
	Rollout   string      `json:"rollout"` // rollout ID
	Plan      string      `json:"plan"`    // plan name
	Update    Update      `json:"update"`
	Current   Position    `json:"current"`
	Proposed  Position    `json:"proposed"`
	Approvals []Approval  `json:"approvals"`
	State     StateView   `json:"state"`
	Observed  Observation `json:"observation"`
}

// Position names a ring and a step within it.
type Position struct {
	Ring    string  `json:"ring"`
	Index   int     `json:"ring_index"`
	Step    int     `json:"step"`
	Percent float64 `json:"percent"`
	Capped  bool    `json:"tenant_capped,omitempty"`
}

// StateView is the part of State that gates see.
type StateView struct {
	Phase       Phase     `json:"phase"`
	Started     time.Time `json:"started"`
	StepStarted time.Time `json:"step_started"`
}

// GateVerdict is a gate's answer. Each slice holds messages; an empty
// verdict lets the transition proceed. Rollback outranks Halt, which
// outranks Hold.
type GateVerdict struct {
	Hold     []GateMessage `json:"hold,omitempty"`
	Halt     []GateMessage `json:"halt,omitempty"`
	Rollback []GateMessage `json:"rollback,omitempty"`
	// Log holds diagnostic output (e.g. Rego print()) recorded in the
	// decision's reasons.
	Log []string `json:"log,omitempty"`
}

// GateMessage is one reason a gate gives, with where the gate's rule is
// written when the gate can tell.
type GateMessage struct {
	Msg string `json:"msg"`
	Src Source `json:"src"`
}

// GateBinding attaches a Gate to a plan under a name.
type GateBinding struct {
	Name string
	Gate Gate
	// Digest identifies the gate's content (e.g. a hash of its Rego
	// modules and data) so that editing a gate counts as a change of plan.
	Digest string
	Src    Source
}

// check refuses a verdict with text that the audit log could not record
// as written (not valid UTF-8): a malformed verdict holds the rollout.
func (v *GateVerdict) check() error {
	for _, l := range v.Log {
		if !utf8.ValidString(l) {
			return fmt.Errorf("malformed verdict: print output %q is not valid UTF-8", l)
		}
	}
	for _, msgs := range [...][]GateMessage{v.Hold, v.Halt, v.Rollback} {
		for _, m := range msgs {
			if !utf8.ValidString(m.Msg) || !utf8.ValidString(m.Src.File) {
				return fmt.Errorf("malformed verdict: message %q (file %q) is not valid UTF-8", m.Msg, m.Src.File)
			}
		}
	}
	return nil
}
