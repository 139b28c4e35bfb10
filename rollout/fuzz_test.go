package rollout

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ringwise/ringwise/internal/fuzzbudget"
)

// Fuzz targets of the engine. Each input runs under the budget of time
// and memory that every fuzz target of the module gives an input
// (internal/fuzzbudget): an input that takes longer or allocates more
// fails, so that unbounded work is found as well as panics.

// fuzzReader draws values from fuzz bytes; past the end it reads zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) intn(n int) int { return int(r.byte()) % n }

func (r *fuzzReader) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = r.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

// float draws a number: mostly an ordinary one, sometimes NaN, an
// infinity, zero, a negative, a huge or a tiny one, or raw bits.
func (r *fuzzReader) float() float64 {
	switch r.intn(12) {
	case 0:
		return math.NaN()
	case 1:
		return math.Inf(1 - 2*r.intn(2))
	case 2:
		return 0
	case 3:
		return -float64(r.intn(100))
	case 4:
		return 1e300
	case 5:
		return math.SmallestNonzeroFloat64
	case 6:
		return math.Float64frombits(r.u64())
	case 7:
		return 100
	}
	return float64(r.intn(101)) * []float64{0.01, 0.1, 1}[r.intn(3)]
}

// dur draws a duration: mostly minutes to days, sometimes extreme.
func (r *fuzzReader) dur() time.Duration {
	switch r.intn(8) {
	case 0:
		return time.Duration(r.u64())
	case 1:
		return -time.Duration(r.intn(100)) * time.Hour
	case 2:
		return 0
	}
	return time.Duration(r.intn(200)+1) * []time.Duration{time.Nanosecond, time.Minute, time.Hour, 24 * time.Hour}[r.intn(4)]
}

// at draws a time near base, sometimes far outside the years 0-9999.
func (r *fuzzReader) at(base time.Time) time.Time {
	switch r.intn(10) {
	case 0:
		return time.Unix(int64(r.u64()>>1)-1<<62, 0).UTC()
	case 1:
		return time.Time{}
	}
	return base.Add(time.Duration(int(r.byte())-64) * []time.Duration{time.Minute, time.Hour, 24 * time.Hour}[r.intn(3)])
}

func (r *fuzzReader) name(prefix string) string {
	switch r.intn(10) {
	case 0:
		return ""
	case 1:
		return prefix + "\xff"
	}
	return fmt.Sprintf("%s%d", prefix, r.intn(4))
}

func (r *fuzzReader) selector() Selector {
	switch r.intn(4) {
	case 0:
		return Selector{{Key: "ring", Values: []string{r.name("r")}}}
	case 1:
		return Selector{{Key: TenantLabel, Values: []string{r.name("t"), r.name("t")}}}
	case 2:
		return Selector{{Key: r.name("k")}}
	}
	return nil
}

// wild reports whether the next value should be an odd one (one time in
// eight), so that most plans compile and the engine runs on them.
func (r *fuzzReader) wild() bool { return r.intn(8) == 0 }

// fuzzPlan builds a plan from fuzz bytes: mostly valid, with odd values
// here and there.
func fuzzPlan(r *fuzzReader) Plan {
	p := Plan{Name: "p"}
	if r.wild() {
		p.Name = r.name("p")
	}
	zones := []*time.Location{time.UTC, london, newYork, mustZone("Pacific/Apia"), nil}
	name := func(prefix string, i int) string {
		if r.wild() {
			return r.name(prefix)
		}
		return fmt.Sprintf("%s%d", prefix, i)
	}
	pick := func(valid float64) float64 {
		if r.wild() {
			return r.float()
		}
		return valid
	}
	for i := range 1 + r.intn(4) {
		ring := Ring{Name: name("r", i), Bake: time.Duration(1+r.intn(180)) * time.Minute, Approval: r.intn(4) == 0}
		if i < 3 {
			ring.Select = Selector{{Key: "ring", Values: []string{fmt.Sprintf("r%d", i)}}}
		}
		if r.wild() {
			ring.Select = r.selector()
		}
		if r.wild() {
			ring.Bake = r.dur()
		}
		step := 0.0
		for range r.intn(4) {
			step = pick(step + float64(1+r.intn(40)))
			if step < 100 {
				ring.Steps = append(ring.Steps, step)
			}
		}
		ring.Steps = append(ring.Steps, pick(100))
		if r.intn(3) == 0 {
			ring.TenantCap = pick(float64(1 + r.intn(100)))
		}
		if r.intn(3) == 0 {
			ring.MinHealthy = pick(float64(r.intn(11)) / 10)
		}
		if r.intn(3) == 0 {
			ring.Cover = []string{"os"}
		}
		p.Rings = append(p.Rings, ring)
	}
	for i := range r.intn(4) {
		tr := Trigger{Name: name("tr", i), Kind: TriggerKind(1 + r.intn(5)), Signal: []string{"crash", "err"}[r.intn(2)],
			MinCount: r.intn(4), Action: []Action{Halt, Rollback}[r.intn(2)]}
		switch tr.Kind {
		case Absolute, Silence:
			tr.Threshold = pick(float64(1+r.intn(50)) / 100)
		case Baseline, SilenceBaseline:
			tr.Threshold = pick(1 + float64(1+r.intn(40))/10)
		case Sequential:
			tr.Rate, tr.Ratio, tr.Alpha = pick(float64(1+r.intn(100))/1000), pick(1+float64(1+r.intn(40))/10), pick(float64(1+r.intn(49))/100)
		}
		if r.wild() {
			tr.Kind, tr.Action, tr.MinCount = TriggerKind(r.intn(7)), Action(r.intn(5)), r.intn(5)-1
		}
		p.Triggers = append(p.Triggers, tr)
	}
	for i := range r.intn(3) {
		from := r.at(t0)
		to := from.Add(time.Duration(1+r.intn(72)) * time.Hour)
		if r.wild() {
			to = r.at(from)
		}
		b := Blackout{Name: name("b", i), From: from, To: to}
		if r.intn(2) == 0 {
			b.Exempt = []string{"u0"}
		}
		p.Blackouts = append(p.Blackouts, b)
	}
	if r.intn(2) == 0 {
		p.Urgencies = []Urgency{{Name: "u0", BakeScale: pick(float64(1+r.intn(10)) / 10)}}
	}
	for i := range r.intn(4) {
		tn := Tenant{Name: name("t", i), Select: Selector{{Key: TenantLabel, Values: []string{fmt.Sprintf("t%d", r.intn(3))}}}}
		if r.intn(2) == 0 {
			tn.Defer = time.Duration(r.intn(72)) * time.Hour
		}
		if r.wild() {
			tn.Select, tn.Defer = r.selector(), r.dur()
		}
		for range r.intn(3) {
			w := Window{Start: time.Duration(r.intn(96)) * 15 * time.Minute, Length: time.Duration(1+r.intn(96)) * 15 * time.Minute, Zone: zones[r.intn(len(zones)-1)]}
			if r.wild() {
				w.Start, w.Length, w.Zone = r.dur(), r.dur(), zones[r.intn(len(zones))]
			}
			for range r.intn(4) {
				w.Days = append(w.Days, time.Weekday(r.intn(7)))
			}
			if r.wild() {
				w.Days = append(w.Days, time.Weekday(r.intn(20)-5))
			}
			tn.Maintenance = append(tn.Maintenance, w)
		}
		if r.intn(4) == 0 {
			tn.OptOut = []string{"content"}
		}
		p.Tenants = append(p.Tenants, tn)
	}
	return p
}

func fuzzHosts(n int) []Host {
	hosts := make([]Host, n)
	for i := range hosts {
		hosts[i] = Host{ID: fmt.Sprintf("h%02d", i), Labels: map[string]string{
			"ring": fmt.Sprintf("r%d", i%4), TenantLabel: fmt.Sprintf("t%d", i%3), "os": []string{"w10", "w11"}[i%2]}}
	}
	return hosts
}

func (r *fuzzReader) observation(at time.Time) Observation {
	o := Observation{At: r.at(at)}
	for _, c := range []*Cohort{&o.Updated, &o.Baseline} {
		c.Hosts, c.Healthy, c.Silent = r.intn(30)-2, r.intn(30)-2, r.intn(10)-1
		c.Signals = map[string]Signal{}
		for _, name := range []string{"crash", "err", "cr\xffash"} {
			if r.intn(3) > 0 {
				c.Signals[name] = Signal{Count: r.float(), Hours: r.float()}
			}
		}
	}
	if r.intn(2) == 0 {
		o.Updated.Strata = map[string]int{"os=w10": r.intn(3), "os=w11": r.intn(3)}
	}
	if r.intn(2) == 0 {
		o.Approvals = []Approval{{Ring: r.name("r"), By: "alice", At: r.at(at)}}
	}
	return o
}

// checkSaved fails unless st marshals and reads back the same.
func checkSaved(t *testing.T, call string, st State) {
	t.Helper()
	b, err := MarshalState(st)
	if err != nil {
		t.Fatalf("after %s the state does not marshal: %v", call, err)
	}
	back, err := ParseState(b)
	if err != nil {
		t.Fatalf("after %s the state does not parse back: %v\n%s", call, err, b)
	}
	if diff := cmp.Diff(st, back, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("after %s the state does not round-trip (-want +got):\n%s", call, diff)
	}
}

// FuzzEngine: Compile, NewFleet, Start, then a sequence of controller
// calls, calls by hand and host calls, all drawn from the fuzz bytes
// (plans, observations and clocks included, valid or not). Nothing
// panics, a plan Compile refuses comes with located errors, and after
// every call the state can be saved and read back.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"))
	f.Add([]byte("\x05\x03\x00\x02\x07\x07\x07\x07\x01\x03\x05\x00\x00\x00\x01\x01\x02\x02\x03\x04\x05\x06\x07\x08\x09\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x00\x01\x02"))
	for seed := range 8 {
		b := make([]byte, 256)
		x := uint64(seed)*0x9e3779b97f4a7c15 + 1
		for i := range b {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			b[i] = byte(x)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzbudget.Default.Run(t, len(data), func() { fuzzEngine(t, data) })
	})
}

// fuzzEngine is one input of FuzzEngine.
func fuzzEngine(t *testing.T, data []byte) {
	r := &fuzzReader{b: data}
	plan, err := Compile(fuzzPlan(r))
	if err != nil {
		if len(ValidationErrors(err)) == 0 {
			t.Fatalf("Compile error without a ValidationError: %v", err)
		}
		return
	}
	f, err := NewFleet(plan, "r1", fuzzHosts(r.intn(20)))
	if err != nil {
		t.Fatalf("NewFleet: %v", err)
	}
	now := r.at(t0)
	st, err := f.Start(Update{ID: "u1", Kind: []string{"content", "sensor"}[r.intn(2)], Urgency: []string{"", "u0", "routine"}[r.intn(3)]}, now)
	if err != nil {
		return
	}
	checkSaved(t, "Start", st)
	ctx := context.Background()
	obs := r.observation(now)
	for op := 0; op < 40 && len(r.b) > 0; op++ {
		at := r.at(now)
		call := ""
		var next State
		var err error
		switch r.intn(8) {
		case 0, 1, 2:
			call = "Decide"
			if r.intn(2) == 0 {
				obs = r.observation(at)
			}
			d := f.Decide(ctx, st, obs, at)
			if again := f.Decide(ctx, st, obs, at); !cmp.Equal(d, again, cmpopts.EquateNaNs()) {
				t.Fatalf("Decide is not deterministic:\n%s", cmp.Diff(d, again, cmpopts.EquateNaNs()))
			}
			next = d.State
		case 3:
			call = "Pause"
			next, err = Pause(st, r.name("why"), at)
		case 4:
			call = "Unpause"
			next, err = Unpause(st, at)
		case 5:
			call = "Stop"
			next, err = Stop(st, Action(r.intn(5)), r.name("who"), "why", at)
		case 6:
			call = "Resume"
			next, err = Resume(st, r.observation(at), r.name("who"), at)
		case 7:
			call = "Adopt"
			next, err = f.Adopt(st, at)
		}
		if err != nil {
			if !cmp.Equal(st, next) {
				t.Fatalf("%s failed (%v) and changed the state", call, err)
			}
			continue
		}
		checkSaved(t, call, next)
		st = next
		if recordable(at) {
			now = at
		}
		for i := range f.Len() {
			f.EligibleAt(i, &st, r.at(now))
		}
	}
}
