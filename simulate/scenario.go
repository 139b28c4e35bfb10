package simulate

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/rollout"
)

// Scenario is a loaded scenario file: the fleet, the update, what goes
// wrong, how the fleet is watched and who reacts. It is not modified by Run
// and is safe for concurrent use by several runs.
type Scenario struct {
	Name        string
	Description string
	// Policy is the policy path as written, relative to the scenario file's
	// directory; Rollout optionally names the rollout block to use.
	Policy  string
	Rollout string
	// Horizon is how long after the release the simulation runs.
	Horizon time.Duration
	// Resolution is the tick: every event happens at a multiple of it.
	Resolution time.Duration
	// Sample is the timeline's interval.
	Sample    time.Duration
	Cohorts   []Cohort
	Update    Update
	Faults    []Fault
	Telemetry Telemetry
	People    People
	Src       rollout.Source

	// Where the attributes that name something else were written, for
	// LoadPolicy and SelectPlan to place their diagnostics (zero when the
	// Scenario was not parsed from a file).
	policyRange, kindRange, rolloutRange, urgencyRange hcl.Range
}

// Cohort is a group of alike hosts.
type Cohort struct {
	Name   string
	Hosts  int
	Labels map[string]string
	// Tenants: either explicit names (hosts split evenly) or a count of
	// tenants named "t1".."tN" whose sizes follow a Zipf law with exponent
	// TenantSkew (0: equal sizes). Names are shared across cohorts, so a
	// tenant may own hosts of several cohorts. Neither: no tenant label.
	Tenants     []string
	TenantCount int
	TenantSkew  float64
	// Online is the share of hosts online at any time; a host's online
	// state is redrawn every Session (at a phase of its own).
	Online  float64
	Session time.Duration
	// CheckIn is the interval at which hosts ask for updates, each check-in
	// delayed by up to Jitter.
	CheckIn time.Duration
	Jitter  time.Duration
	Src     rollout.Source

	hostsRange, tenantsRange hcl.Range // where parsed from a file
}

// Update is the update rolled out.
type Update struct {
	ID      string
	Kind    string
	Urgency string
	Release time.Time
}

// FaultMode is how a host that the fault strikes fails.
type FaultMode uint8

const (
	// Crash: the host goes down and reports a crash event (Signal); it comes
	// back by itself after RecoverAfter, or when it takes a rollback if
	// RecoverAfter is zero.
	Crash FaultMode = iota + 1
	// BootLoop: the host goes down and silent and cannot take a rollback; it
	// comes back only by hands-on repair (People.Repair) or by the chance
	// RecoverPerReboot at each reboot, every RebootEvery.
	BootLoop
	// Degraded: the rate of Signal on the host rises by Factor; the host
	// stays up and reporting.
	Degraded
	// Silent: the host stops reporting and stays up; a rollback restores it.
	Silent
)

var faultModeNames = [...]string{"", "crash", "boot_loop", "degraded", "silent"}

func (m FaultMode) String() string {
	if int(m) < len(faultModeNames) {
		return faultModeNames[m]
	}
	return fmt.Sprintf("FaultMode(%d)", m)
}

// Fault is something an update breaks.
type Fault struct {
	Name        string
	Select      rollout.Selector
	Probability float64 // that a host the selector matches fails once updated
	Latency     Dist    // from taking the update to failing
	Mode        FaultMode
	Signal      string  // Crash: the event reported (default "crash"); Degraded: the signal raised
	Factor      float64 // Degraded: the rate multiple
	// RecoverAfter (Crash) is how long the host stays down; zero: until it
	// takes a rollback.
	RecoverAfter Dist
	// Restart (Crash) is how long a crashed host takes to come back after
	// it took the rollback.
	Restart Dist
	// Herd (Crash): recovery slows with how many recover at once, as when
	// restarts without jittered backoff overload a shared dependency: a
	// host's RecoverAfter or Restart is scaled by 1 + n/Herd, n the hosts
	// of this fault already recovering when it starts to. Zero: no effect.
	Herd float64
	// RebootEvery and RecoverPerReboot (BootLoop): the chance that a reboot
	// brings the host back.
	RebootEvery      time.Duration
	RecoverPerReboot float64
	// FlapEvery (Crash, with RecoverAfter): a host that recovered by itself
	// crashes again this long after, for as long as it runs the update: the
	// fault flaps. Zero: it stays up once recovered.
	FlapEvery Dist
	// StrikesFrom makes the fault latent until this long after the
	// release, when an outside event sets it off (a date, a later push): a
	// host that took the update before then fails Latency after the event,
	// one that takes it later, Latency after its install. Zero: from the
	// install.
	StrikesFrom time.Duration
	// Stages change Probability over time, as when more bad artefacts
	// spread: a host that takes the update at or after a stage's From
	// (after the release) fails with the probability of the last stage
	// started, and with Probability before the first. In order of From.
	Stages []FaultStage
	Src    rollout.Source

	selectRange hcl.Range // of the select block, when parsed from a file
}

// FaultStage is a fault's probability from a time after the release.
type FaultStage struct {
	From        time.Duration
	Probability float64
}

// ProbabilityAt returns the probability that a host the fault selects
// fails when it takes the update at, after the release.
func (f *Fault) ProbabilityAt(at time.Duration) float64 {
	p := f.Probability
	for _, st := range f.Stages {
		if at >= st.From {
			p = st.Probability
		}
	}
	return p
}

// mayStrike reports whether the fault strikes any host at any time.
func (f *Fault) mayStrike() bool {
	return f.Probability > 0 || slices.ContainsFunc(f.Stages, func(st FaultStage) bool { return st.Probability > 0 })
}

// DistKind is the shape of a Dist.
type DistKind uint8

const (
	Fixed       DistKind = iota // always Mean
	Exponential                 // exponential with mean Mean
	Uniform                     // uniform in [Min, Max]
)

// Dist is a distribution of durations, written "30s" (fixed), "exp(5m)"
// or "uniform(1m, 10m)".
type Dist struct {
	Kind     DistKind
	Mean     time.Duration
	Min, Max time.Duration
}

// IsZero reports whether d is the fixed duration 0.
func (d Dist) IsZero() bool { return d.Kind == Fixed && d.Mean == 0 }

// Sample maps u, uniform in [0, 1), to a duration.
func (d Dist) Sample(u float64) time.Duration {
	switch d.Kind {
	case Exponential:
		return time.Duration(-math.Log1p(-u) * float64(d.Mean))
	case Uniform:
		return d.Min + time.Duration(u*float64(d.Max-d.Min))
	}
	return d.Mean
}

func (d Dist) String() string {
	switch d.Kind {
	case Exponential:
		return "exp(" + fmtDur(d.Mean) + ")"
	case Uniform:
		return "uniform(" + fmtDur(d.Min) + ", " + fmtDur(d.Max) + ")"
	}
	return fmtDur(d.Mean)
}

// ParseDist parses a Dist: "30s", "exp(5m)", "uniform(1m, 10m)". Durations
// take Go's syntax plus a leading count of days ("2d").
func ParseDist(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	call := func(name string) (string, bool) {
		if strings.HasPrefix(s, name+"(") && strings.HasSuffix(s, ")") {
			return s[len(name)+1 : len(s)-1], true
		}
		return "", false
	}
	if arg, ok := call("exp"); ok {
		d, err := parseDuration(strings.TrimSpace(arg))
		if err != nil || d <= 0 {
			return Dist{}, fmt.Errorf("exp needs a positive mean duration, got %q", arg)
		}
		return Dist{Kind: Exponential, Mean: d}, nil
	}
	if arg, ok := call("uniform"); ok {
		lo, hi, ok := strings.Cut(arg, ",")
		if !ok {
			return Dist{}, fmt.Errorf("uniform needs two durations, uniform(MIN, MAX), got %q", arg)
		}
		a, err1 := parseDuration(strings.TrimSpace(lo))
		b, err2 := parseDuration(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return Dist{}, fmt.Errorf("uniform needs durations 0 <= MIN <= MAX, got %q", arg)
		}
		return Dist{Kind: Uniform, Min: a, Max: b, Mean: (a + b) / 2}, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return Dist{}, fmt.Errorf("write a duration (30s), exp(MEAN) or uniform(MIN, MAX): %v", err)
	}
	if d < 0 {
		return Dist{}, fmt.Errorf("duration must not be negative, got %s", s)
	}
	return Dist{Kind: Fixed, Mean: d}, nil
}

// Telemetry is how the fleet reports health.
type Telemetry struct {
	Interval    time.Duration // every host reports this often
	Delay       time.Duration // a report arrives this late
	Loss        float64       // share of reports lost
	SilentAfter time.Duration // a host that has not reported for this long is silent
	// Rates are background event rates per host-hour, by signal name, of
	// every host (updated or not).
	Rates map[string]float64
}

// People are the humans in the loop.
type People struct {
	// Notice: this long after the first host fails because of the update,
	// people stop the push by hand with Action (rollout.Halt or
	// rollout.Rollback), unless the rollout already stopped. Zero: never.
	Notice time.Duration
	Action rollout.Action
	// Repair is the hands-on repair capacity over time, in stages.
	Repair []RepairStage
}

// RepairStage is a hands-on repair capacity from a time after the release.
type RepairStage struct {
	From    time.Duration
	PerHour float64 // boot-looped hosts repaired per hour
}

// Hosts returns the number of hosts of the fleet.
func (sc *Scenario) Hosts() int {
	n := 0
	for _, c := range sc.Cohorts {
		n += c.Hosts
	}
	return n
}

// Scaled returns a copy of sc with every cohort's host count, tenant count
// and the repair capacity multiplied by f (host counts rounded, at least
// 1), for runs at reduced scale. Rates per host are unchanged, so counts
// of a scaled run divided by f estimate the full-scale run.
func (sc *Scenario) Scaled(f float64) *Scenario {
	c := *sc
	c.Cohorts = make([]Cohort, len(sc.Cohorts))
	for i, co := range sc.Cohorts {
		co.Hosts = max(1, int(math.Round(float64(co.Hosts)*f)))
		if co.TenantCount > 0 {
			co.TenantCount = max(1, min(co.Hosts, int(math.Round(float64(co.TenantCount)*f))))
		}
		c.Cohorts[i] = co
	}
	c.People.Repair = make([]RepairStage, len(sc.People.Repair))
	for i, r := range sc.People.Repair {
		r.PerHour *= f
		c.People.Repair[i] = r
	}
	return &c
}

func fmtDur(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		return "0s"
	}
	return s
}
