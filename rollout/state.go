package rollout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"
)

// StateVersion is the version of the State JSON encoding this package
// writes and reads.
const StateVersion = 1

// Phase is where a rollout stands.
type Phase string

const (
	Running    Phase = "running"     // steps advance as the plan allows
	Halted     Phase = "halted"      // stopped by a trigger or gate; exposure frozen until Resume
	RolledBack Phase = "rolled_back" // stopped and reverted; updated hosts should revert
	Complete   Phase = "complete"    // every ring done
)

// State is the persistent state of one rollout: a plain value that the
// caller stores between calls (as versioned JSON with MarshalState and
// ParseState) and passes to every call. The engine never keeps state of
// its own.
//
// The zero State is not a valid rollout; create one with Start.
type State struct {
	Version    int       `json:"version"`
	RolloutID  string    `json:"rollout_id"`
	Plan       string    `json:"plan"`
	PlanDigest string    `json:"plan_digest"`
	Update     Update    `json:"update"`
	Phase      Phase     `json:"phase"`
	Started    time.Time `json:"started"`
	// Ring and Step index the current position; Step may equal the ring's
	// step count of Plan.Steps minus one at most.
	Ring        int       `json:"ring"`
	RingName    string    `json:"ring_name"`
	Step        int       `json:"step"` // -1 before the ring's first step
	StepStarted time.Time `json:"step_started"`
	// GA is when the rollout entered its last ring (general availability);
	// zero before. Tenant deferrals count from it.
	GA time.Time `json:"ga,omitzero"`
	// Paused holds the rollout by hand (see Pause); exposure is frozen.
	Paused      bool   `json:"paused,omitempty"`
	PauseReason string `json:"pause_reason,omitempty"`
	// PausedAt is when the current pause began (zero when not paused), and
	// PausedFor the time spent paused before it: together, what a plan's
	// PauseLimit counts.
	PausedAt  time.Time     `json:"paused_at,omitzero"`
	PausedFor time.Duration `json:"paused_for_ns,omitempty"`
	// Stopped says why a rollout halted or rolled back.
	Stopped string `json:"stopped,omitempty"`
	// Acked holds the updated hosts' counts when a halted rollout was
	// resumed; triggers count from them (see Resume).
	Acked *Cohort `json:"acked,omitempty"`
	// AckedStrata holds the per-stratum counts of the updated hosts
	// acknowledged at a resume (Observation.ByStratum); triggers with By
	// count from them.
	AckedStrata map[string]Cohort `json:"acked_strata,omitempty"`
	// StepHours is Observation.Updated.Hours when the current step started
	// (or was resumed), recorded for rings with MinHostHours: the step's
	// exposure is counted from it.
	StepHours float64 `json:"step_host_hours,omitempty"`
	// Last is the latest time the engine was asked; a call with an earlier
	// time never advances anything.
	Last time.Time `json:"last"`
	// Log is the audit log: one entry per change of decision.
	Log []Entry `json:"log"`
}

// Entry is one line of the audit log.
type Entry struct {
	At      time.Time `json:"at"`
	Action  Action    `json:"action"`
	Ring    string    `json:"ring"`
	Step    int       `json:"step"`
	Reasons []Reason  `json:"reasons,omitempty"`
}

// String renders an entry for people.
func (e Entry) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %-8s ring %s step %d", e.At.UTC().Format(time.RFC3339), e.Action, e.Ring, e.Step+1)
	for _, r := range e.Reasons {
		fmt.Fprintf(&b, "\n    %s", r)
	}
	return b.String()
}

// MarshalState encodes the state as versioned JSON.
func MarshalState(s State) ([]byte, error) {
	s.Version = StateVersion
	return json.Marshal(s)
}

// ErrStateVersion is returned (wrapped) by ParseState for a state written by
// an unknown version of the encoding.
var ErrStateVersion = errors.New("rollout: unknown state version")

// ParseState decodes state JSON written by MarshalState. It is strict:
// unknown fields, a key written twice in one object, a field name in
// another case than MarshalState writes it ("Phase" for "phase"), trailing
// data, a missing or unknown version and truncated input are errors.
func ParseState(data []byte) (State, error) {
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD: an ID
	// read that way is not the ID that was written.
	if !utf8.Valid(data) {
		return State{}, errors.New("rollout: parse state: not valid UTF-8")
	}
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return State{}, fmt.Errorf("rollout: parse state: %w", err)
	}
	if probe.Version == nil {
		return State{}, fmt.Errorf("%w: no version field", ErrStateVersion)
	}
	if *probe.Version != StateVersion {
		return State{}, fmt.Errorf("%w %d (this build reads %d)", ErrStateVersion, *probe.Version, StateVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return State{}, fmt.Errorf("rollout: parse state: %w", err)
	}
	if dec.More() {
		return State{}, errors.New("rollout: parse state: trailing data after state")
	}
	if err := checkKeys(data, reflect.TypeFor[State]()); err != nil {
		return State{}, fmt.Errorf("rollout: parse state: %w", err)
	}
	if s.RolloutID == "" {
		return State{}, errors.New("rollout: parse state: empty rollout_id")
	}
	switch s.Phase {
	case Running, Halted, RolledBack, Complete:
	default:
		return State{}, fmt.Errorf("rollout: parse state: unknown phase %q", s.Phase)
	}
	if s.Ring < 0 || s.Step < -1 {
		return State{}, fmt.Errorf("rollout: parse state: negative position ring %d step %d", s.Ring, s.Step)
	}
	// Acknowledged counts are what Resume accepted: counts no fleet can
	// produce would switch a trigger off (a negative or infinite baseline
	// for the counts that follow).
	if err := ackedProblem("acked", s.Acked); err != nil {
		return State{}, err
	}
	for _, k := range sortedKeys(s.AckedStrata) {
		c := s.AckedStrata[k]
		if err := ackedProblem(fmt.Sprintf("acked_strata[%q]", k), &c); err != nil {
			return State{}, err
		}
	}
	return s, nil
}

// ackedProblem says what is wrong with an acknowledged cohort of a parsed
// state, by the rules Decide applies to observations.
func ackedProblem(field string, c *Cohort) error {
	if c == nil {
		return nil
	}
	if c.Hosts < 0 || c.Healthy < 0 || c.Silent < 0 {
		return fmt.Errorf("rollout: parse state: %s has a negative count (hosts %d, healthy %d, silent %d)", field, c.Hosts, c.Healthy, c.Silent)
	}
	for _, name := range sortedKeys(c.Signals) {
		if sg := c.Signals[name]; badSignal(name, sg) {
			return fmt.Errorf("rollout: parse state: %s signal %q is not a count (count %g, host-hours %g)", field, name, sg.Count, sg.Hours)
		}
	}
	return nil
}

// Observation is what the caller saw of the fleet's health at At: counts
// over the hosts updated by this rollout and over the hosts not yet updated
// (the baseline). Counts are cumulative since the rollout started unless
// said otherwise. Silent counts are not: they are the hosts not reporting
// at At.
type Observation struct {
	At       time.Time `json:"at"`
	Updated  Cohort    `json:"updated"`
	Baseline Cohort    `json:"baseline"`
	// Approvals granted so far.
	Approvals []Approval `json:"approvals,omitempty"`
	// ByStratum breaks Updated and Baseline down by the strata of the
	// plan's triggers with By labels, keyed by StratumKey (the keys
	// Fleet.TriggerStrata lists). Needed only when a trigger has By; see
	// strata.go.
	ByStratum map[string]Stratum `json:"by_stratum,omitempty"`
}

// Cohort summarises a group of hosts.
type Cohort struct {
	// Hosts in the cohort (for Updated: hosts that took the update).
	Hosts int `json:"hosts"`
	// Healthy is how many have reported healthy since updating (for
	// Updated) during the current step's bake or earlier. Leave out hosts
	// that are silent now when you know which they are: the engine cannot
	// tell whether a silent host is among the healthy ones, so a bake
	// counts min(Healthy, Hosts-Silent), the most that can be both healthy
	// and still reporting. A silent host never makes up for a missing
	// healthy report, but a host that reported healthy and then went
	// silent is counted unless the caller leaves it out
	// (TestBakeCountsReportingHealthy).
	Healthy int `json:"healthy"`
	// Hours is the exposure of the cohort in host-hours: for Updated, the
	// hours the updated hosts have run since taking the update while up
	// and reporting (a host that failed or went silent stops adding).
	// Cumulative; rings with MinHostHours read it.
	Hours float64 `json:"host_hours,omitempty"`
	// Silent is how many are not reporting now. For Updated: hosts that
	// updated and then went quiet (Silence and SilenceBaseline triggers
	// read it). For Baseline: hosts not yet updated that are currently
	// not reporting (offline longer than the caller's silence threshold),
	// the fleet's normal churn that SilenceBaseline triggers compare with;
	// leave it 0 when unknown (such a trigger then compares with one
	// silent host).
	Silent int `json:"silent"`
	// ByRing, for Updated, counts the hosts of each ring (by index) that
	// took the update. Rings with MinTaken read it; without it a ring's
	// are counted as Hosts less every host of the earlier rings, a lower
	// bound that is strict when hosts of earlier rings never took it.
	ByRing []int `json:"by_ring,omitempty"`
	// Signals are event counts by signal name ("crash", ...).
	Signals map[string]Signal `json:"signals,omitempty"`
	// Strata counts hosts reporting healthy by cover stratum (the key
	// Fleet.Stratum gives); used by rings with Cover.
	Strata map[string]int `json:"strata,omitempty"`
}

// Signal is a count of events and the exposure over which it was counted.
type Signal struct {
	Count float64 `json:"count"`
	// Hours is the exposure in host-hours (used by Sequential triggers).
	Hours float64 `json:"host_hours,omitempty"`
}

// Approval is a human approval to enter a ring. An approval dated (At)
// before the rollout started does not count: it was for another rollout.
// Nor does one dated after the time of the call: the clocks disagree, and
// the engine does not trust a time it has not reached. An undated approval
// counts, so that callers that cannot date approvals keep working; date
// them, so that an old approval cannot be replayed (TestApprovalDates).
type Approval struct {
	Ring string `json:"ring"`
	// Step, when > 0, approves that step of the ring (counted from 1; a
	// step the ring lists in ApproveSteps) rather than entering the ring.
	Step int       `json:"step,omitempty"`
	By   string    `json:"by"`
	At   time.Time `json:"at,omitzero"`
}

// Action is what a Decision tells the caller to do.
type Action uint8

const (
	Hold     Action = iota // stay where you are; ask again at Decision.Next
	Advance                // the rollout moved to the next step: expose more hosts
	Halt                   // stop exposing hosts; keep what is updated; wait for Resume
	Rollback               // stop and revert updated hosts
	Done                   // every ring is complete
)

var actionNames = [...]string{"hold", "advance", "halt", "rollback", "complete"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", a)
}

// MarshalText encodes the action by name.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes an action name.
func (a *Action) UnmarshalText(b []byte) error {
	for i, n := range actionNames {
		if n == string(b) {
			*a = Action(i)
			return nil
		}
	}
	return fmt.Errorf("rollout: unknown action %q", b)
}

// Reason is one cause of a decision, naming the rule that caused it.
type Reason struct {
	Rule    string `json:"rule"` // e.g. `trigger "crash-loop"`, `ring "canary"`, `engine`
	Src     Source `json:"src,omitzero"`
	Message string `json:"message"`
}

func (r Reason) String() string {
	if s := r.Src.String(); s != "" {
		return fmt.Sprintf("%s (%s): %s", r.Rule, s, r.Message)
	}
	return fmt.Sprintf("%s: %s", r.Rule, r.Message)
}

// Decision is the engine's answer to a controller call, in the manner of
// raft's Ready: the caller must persist State (it replaces the state passed
// in), act on Action (Advance: start offering the update to the newly
// eligible hosts; Halt: stop offering it; Rollback: stop and revert updated
// hosts; Done: nothing more to do), and call again at Next (or earlier, when
// new observations arrive).
type Decision struct {
	Action  Action    `json:"action"`
	Reasons []Reason  `json:"reasons"`
	Next    time.Time `json:"next,omitzero"` // when to ask again; zero when nothing will change by waiting
	State   State     `json:"state"`
}
