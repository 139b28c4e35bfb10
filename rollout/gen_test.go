package rollout

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"

	"pgregory.net/rapid"
)

// Generators shared by the property tests. Every time they make is in UTC
// and every percentage is a float64 whose product with a host count is
// exact, so that the tests can compute floor(p·n/100) exactly.

// t0 is the base of the generated clocks.
var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

var (
	london  = mustZone("Europe/London")
	newYork = mustZone("America/New_York")
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// genOpts says which parts of a plan the generator may produce.
type genOpts struct {
	windows bool // tenants with maintenance windows, deferrals, opt-outs; blackouts
	promote bool // rings with steps that wait for a manual promotion (approve_steps)
}

var stepChoices = []float64{0.5, 1, 2, 2.5, 5, 10, 20, 25, 33, 50, 75, 99}

func genSteps(t *rapid.T, label string) []float64 {
	picked := rapid.SliceOfNDistinct(rapid.SampledFrom(stepChoices), 0, 4, func(f float64) float64 { return f }).Draw(t, label)
	slices.Sort(picked)
	return append(picked, 100)
}

// genPlan draws a valid plan of 1-4 rings. Ring i selects hosts labelled
// ring=r<i>; the last ring selects every host (it catches the rest).
func genPlan(t *rapid.T, o genOpts) Plan {
	n := rapid.IntRange(1, 4).Draw(t, "rings")
	p := Plan{Name: "gen"}
	for i := range n {
		r := Ring{
			Name:  fmt.Sprintf("r%d", i),
			Steps: genSteps(t, fmt.Sprintf("steps%d", i)),
			Bake:  rapid.SampledFrom([]time.Duration{time.Nanosecond, time.Minute, 30 * time.Minute, 2 * time.Hour, 24 * time.Hour}).Draw(t, "bake"),
		}
		switch rapid.IntRange(0, 5).Draw(t, "stepForm") {
		case 0: // a bake per step
			for range r.Steps {
				r.Bakes = append(r.Bakes, rapid.SampledFrom([]time.Duration{time.Nanosecond, time.Minute, 2 * time.Hour}).Draw(t, "bakes"))
			}
			r.Bake = 0
		case 1: // a generator
			r.Steps = nil
			if rapid.Bool().Draw(t, "linear") {
				r.Linear = rapid.SampledFrom([]float64{10, 20, 25, 30, 50, 100}).Draw(t, "linearBy")
			} else {
				r.Exponential = rapid.SampledFrom([]float64{1, 2, 10, 33}).Draw(t, "expBy")
				r.Factor = rapid.SampledFrom([]float64{0, 1.5, 3}).Draw(t, "factor")
			}
		}
		if rapid.IntRange(0, 3).Draw(t, "canary") == 0 {
			r.CanaryHosts = rapid.SampledFrom([]int{1, 3, 10, 1000}).Draw(t, "canaryHosts")
			if len(r.Bakes) > 0 {
				r.Bakes = append(r.Bakes, time.Minute)
			}
		}
		if n := len(r.Steps); o.promote && n > 1 && rapid.IntRange(0, 3).Draw(t, "approveSteps") == 0 {
			r.ApproveSteps = []int{rapid.IntRange(2, n).Draw(t, "approveStep")}
		}
		if i < n-1 {
			r.Select = Selector{{Key: "ring", Values: []string{r.Name}}}
		}
		if rapid.Bool().Draw(t, "capped") {
			r.TenantCap = rapid.SampledFrom([]float64{1, 10, 25, 33, 50, 66, 90, 100}).Draw(t, "cap")
		}
		if rapid.IntRange(0, 3).Draw(t, "cover") == 0 {
			r.Cover = []string{"os"}
		}
		r.MinHealthy = rapid.SampledFrom([]float64{0, 0.5, 0.55, 0.07, 0.9, 1}).Draw(t, "minHealthy")
		r.Approval = rapid.IntRange(0, 4).Draw(t, "approval") == 0
		r.MinTaken = rapid.SampledFrom([]float64{0, 0, 0.3, 0.8, 1}).Draw(t, "minTaken")
		r.MinHostHours = rapid.SampledFrom([]float64{0, 0, 0, 5, 30}).Draw(t, "minHostHours")
		if r.MinHealthy == 0 && rapid.IntRange(0, 5).Draw(t, "noHealthGate") == 0 {
			r.NoHealthGate = true
		}
		p.Rings = append(p.Rings, r)
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "triggers") {
		tr := Trigger{Name: fmt.Sprintf("t%d", i), Action: rapid.SampledFrom([]Action{Halt, Rollback}).Draw(t, "action")}
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			tr.Kind, tr.Signal, tr.Threshold = Absolute, "crash", 0.05
		case 1:
			tr.Kind, tr.Threshold, tr.MinCount = Silence, 0.2, 2
		case 2:
			tr.Kind, tr.Signal, tr.Rate, tr.Ratio, tr.Alpha = Sequential, "err", 0.01, 2, 0.01
		case 3:
			tr.Kind, tr.Threshold, tr.MinCount = SilenceBaseline, rapid.SampledFrom([]float64{1.5, 3}).Draw(t, "silentRatio"), 2
		}
		tr.Attributed = tr.Kind != SilenceBaseline && rapid.IntRange(0, 2).Draw(t, "attributed") == 0
		if rapid.IntRange(0, 2).Draw(t, "byStratum") == 0 {
			tr.By = []string{"os"}
		}
		p.Triggers = append(p.Triggers, tr)
	}
	if rapid.IntRange(0, 3).Draw(t, "timing") == 0 {
		p.StartDelay = rapid.SampledFrom([]time.Duration{time.Nanosecond, 6 * time.Minute, 3 * time.Hour}).Draw(t, "startDelay")
		p.FinalBake = rapid.SampledFrom([]time.Duration{0, time.Minute, 10 * time.Hour}).Draw(t, "finalBake")
		p.PauseLimit = rapid.SampledFrom([]time.Duration{0, time.Hour, 30 * 24 * time.Hour}).Draw(t, "pauseLimit")
	}
	p.Urgencies = []Urgency{{Name: "emergency", BakeScale: 0.1}}
	if o.windows {
		for i := range rapid.IntRange(0, 2).Draw(t, "blackouts") {
			from := t0.Add(time.Duration(rapid.IntRange(0, 96).Draw(t, "bfrom")) * time.Hour)
			b := Blackout{Name: fmt.Sprintf("b%d", i), From: from, To: from.Add(time.Duration(rapid.IntRange(1, 48).Draw(t, "blen")) * time.Hour)}
			if rapid.Bool().Draw(t, "exempt") {
				b.Exempt = []string{"emergency"}
			}
			p.Blackouts = append(p.Blackouts, b)
		}
		for i, name := range []string{"ta", "tb", "tc"} {
			if rapid.Bool().Draw(t, "tenantPolicy") {
				continue
			}
			tn := Tenant{Name: name, Select: Selector{{Key: TenantLabel, Values: []string{name}}}}
			tn.Defer = time.Duration(rapid.IntRange(0, 3).Draw(t, "defer")) * 12 * time.Hour
			if rapid.IntRange(0, 2).Draw(t, "deferKinds") == 0 {
				tn.DeferKinds = []KindDefer{{Kind: "content", Defer: time.Duration(rapid.IntRange(0, 3).Draw(t, "deferContent")) * 12 * time.Hour}}
			}
			if rapid.Bool().Draw(t, "window") {
				tn.Maintenance = []Window{genWindow(t)}
			}
			if i == 2 && rapid.Bool().Draw(t, "optout") {
				tn.OptOut = []string{"content"}
			}
			p.Tenants = append(p.Tenants, tn)
		}
	}
	return p
}

func genWindow(t *rapid.T) Window {
	w := Window{
		Start:  time.Duration(rapid.IntRange(0, 24*4-1).Draw(t, "wstart")) * 15 * time.Minute,
		Length: time.Duration(rapid.IntRange(1, 48*4).Draw(t, "wlen")) * 15 * time.Minute,
		Zone:   rapid.SampledFrom([]*time.Location{time.UTC, london, newYork}).Draw(t, "zone"),
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if rapid.IntRange(0, 2).Draw(t, "day") == 0 {
			w.Days = append(w.Days, d)
		}
	}
	return w
}

// genHosts draws a fleet of up to 150 hosts with tenants of every size,
// including tiny ones of 1-3 hosts.
func genHosts(t *rapid.T) []Host {
	var hosts []Host
	tenants := []string{"ta", "tb", "tc", "td", ""}
	for g, name := range tenants {
		size := rapid.SampledFrom([]int{0, 1, 2, 3, 5, 10, 40}).Draw(t, "tenantSize")
		for range size {
			labels := map[string]string{
				"os":   rapid.SampledFrom([]string{"w10", "w11", "srv"}).Draw(t, "os"),
				"ring": fmt.Sprintf("r%d", rapid.IntRange(0, 4).Draw(t, "ring")),
			}
			if name != "" {
				labels[TenantLabel] = name
			}
			hosts = append(hosts, Host{ID: fmt.Sprintf("h%d-%03d", g, len(hosts)), Labels: labels})
		}
	}
	return hosts
}

// decimal is the exact rational a person means by f: its shortest decimal
// form (0.9 is 9/10, not the float64 just above it).
func decimal(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		panic(f)
	}
	return r
}

// floorShare is floor(p·n/100) computed exactly.
func floorShare(p float64, n int) int {
	r := decimal(p)
	r.Mul(r, big.NewRat(int64(n), 100))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	return int(q.Int64())
}

// exactNeed is ceil(mh·n) computed exactly.
func exactNeed(mh float64, n int) int {
	r := decimal(mh)
	r.Mul(r, big.NewRat(int64(n), 1))
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return int(q.Int64())
}
