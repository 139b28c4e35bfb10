package simulate

// Result is one run's outcome. Times are seconds after the update's
// release; a time never reached is nil (null in JSON).
type Result struct {
	Seed     uint64 `json:"seed"`
	Hosts    int    `json:"hosts"`
	Targeted int    `json:"targeted"` // hosts the policy's rings select
	// Exposed hosts took the update; Failed hosts failed because of it;
	// FailedPeak is the most failed at once (down, boot-looping, silent or
	// degraded).
	Exposed       int     `json:"exposed"`
	Failed        int     `json:"failed"`
	FailedPeak    int     `json:"failed_peak"`
	ManualRepairs int     `json:"manual_repairs"`  // boot loops repaired by hand
	HostHoursDown float64 `json:"host_hours_down"` // crashed or boot-looping
	// DetectedAfter: when telemetry first showed a failure caused by the
	// update (a fault's crash event, or a failed host counted silent) to
	// whoever watches it, after the telemetry delay. HaltedAfter: when the
	// push stopped (a halt or rollback decision, or people stopping it by
	// hand).
	DetectedAfter *int64 `json:"detected_after_seconds"`
	HaltedAfter   *int64 `json:"halted_after_seconds"`
	RolledBack    bool   `json:"rolled_back"`
	// Coverage: when the share of targeted hosts running the update and
	// healthy first reached 50%, 95%, 99%.
	Coverage50 *int64 `json:"coverage_50_seconds"`
	Coverage95 *int64 `json:"coverage_95_seconds"`
	Coverage99 *int64 `json:"coverage_99_seconds"`
	// Recovered99: from when on at least 99% of the hosts that failed were
	// back (not down, boot-looping, silent or degraded); nil when none
	// failed or they never got there.
	Recovered99 *int64 `json:"recovered_99_seconds"`
	// OutageSeconds is how long at least 10% of the targeted hosts were
	// down at once.
	OutageSeconds int64      `json:"outage_seconds"`
	End           string     `json:"end"` // the rollout's phase at the horizon
	Timeline      []Point    `json:"timeline"`
	Decisions     []Decision `json:"decisions"`
}

// Point is the fleet at one time: every host is in exactly one of the
// states Waiting..Repaired; Exposed counts hosts that ever took the update.
type Point struct {
	T        int64 `json:"t"`
	Exposed  int   `json:"exposed"`
	Waiting  int   `json:"waiting"`
	Updated  int   `json:"updated"`
	Crashed  int   `json:"crashed"`
	BootLoop int   `json:"boot_loop"`
	Silent   int   `json:"silent"`
	Degraded int   `json:"degraded"`
	Reverted int   `json:"reverted"`
	Repaired int   `json:"repaired"`
}

// Failed returns the hosts failed at the point.
func (p Point) Failed() int { return p.Crashed + p.BootLoop + p.Silent + p.Degraded }

// Sum returns the number of hosts in all states.
func (p Point) Sum() int {
	return p.Waiting + p.Updated + p.Crashed + p.BootLoop + p.Silent + p.Degraded + p.Reverted + p.Repaired
}

// Decision is one entry of the rollout's audit log. Holds and halts that
// repeat the entry before them (same action, position and rules, with
// fresh numbers) are kept once.
type Decision struct {
	At      int64    `json:"t"`
	Action  string   `json:"action"`
	Ring    string   `json:"ring,omitempty"`
	Step    int      `json:"step"` // 1-based; 0 before the first step
	Reasons []string `json:"reasons,omitempty"`
	rules   []string
}
