package rollout

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestGenerateStepsProperty: whatever a generator Compile accepts, its
// steps are strictly increasing, each in (0, 100], end at exactly 100,
// number at most maxSteps, and a linear generator's steps are multiples
// of its increment (but the last).
func TestGenerateStepsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var lin, exp, factor float64
		if rapid.Bool().Draw(t, "linear") {
			lin = rapid.Float64Range(-1, 120).Draw(t, "by")
		} else {
			exp = rapid.Float64Range(-1, 120).Draw(t, "first")
			factor = rapid.Float64Range(0, 10).Draw(t, "factor")
		}
		steps, err := GenerateSteps(lin, exp, factor)
		r := Ring{Name: "g", Linear: lin, Exponential: exp, Factor: factor, Bake: time.Hour}
		_, cerr := Compile(Plan{Name: "p", Rings: []Ring{r}})
		if (err == nil) != (cerr == nil) {
			t.Fatalf("GenerateSteps says %v, Compile says %v", err, cerr)
		}
		if err != nil {
			return
		}
		if len(steps) == 0 || len(steps) > maxSteps || steps[len(steps)-1] != 100 {
			t.Fatalf("steps %v: want 1-%d steps ending at 100", steps, maxSteps)
		}
		for i, s := range steps {
			if !(s > 0 && s <= 100) || i > 0 && !(s > steps[i-1]) {
				t.Fatalf("steps %v are not strictly increasing within (0, 100]", steps)
			}
			if lin > 0 && i < len(steps)-1 && math.Abs(s-float64(i+1)*lin) > 1e-6 {
				t.Fatalf("linear %g: step %d is %g", lin, i+1, s)
			}
		}
	})
}

func TestGenerateSteps(t *testing.T) {
	for _, c := range []struct {
		lin, exp, factor float64
		want             []float64
	}{
		{lin: 20, want: []float64{20, 40, 60, 80, 100}},
		{lin: 30, want: []float64{30, 60, 90, 100}},
		{lin: 0.7, want: upTo100(func(k int) float64 { return roundPercent(float64(k) * 0.7) }, 143)},
		{lin: 100, want: []float64{100}},
		{exp: 10, want: []float64{10, 20, 40, 80, 100}},
		{exp: 2, want: []float64{2, 4, 8, 16, 32, 64, 100}},
		{exp: 1, factor: 10, want: []float64{1, 10, 100}},
		{exp: 50, factor: 1.5, want: []float64{50, 75, 100}},
	} {
		got, err := GenerateSteps(c.lin, c.exp, c.factor)
		if err != nil {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("GenerateSteps(%g, %g, %g) (-want +got):\n%s", c.lin, c.exp, c.factor, d)
		}
	}
	for _, c := range [][3]float64{{0, 0, 0}, {20, 10, 0}, {0, 0, 2}, {0, 10, 1}, {0.3, 0, 0}, {-5, 0, 0}, {0, 101, 0}, {20, 0, 2}, {0, 1e-300, 1.0001}} {
		if got, err := GenerateSteps(c[0], c[1], c[2]); err == nil {
			t.Errorf("GenerateSteps%v = %v, want an error", c, got)
		}
	}
}

// upTo100 lists f(1), ..., f(n-1) and 100.
func upTo100(f func(int) float64, n int) []float64 {
	var out []float64
	for k := 1; k < n; k++ {
		out = append(out, f(k))
	}
	return append(out, 100)
}

// TestStepBakes: each step bakes for its own bake, the last step of the
// last ring for the final bake, and the first step waits for the start
// delay, in the engine and the schedule alike; an urgency scales all.
func TestStepBakes(t *testing.T) {
	p, err := Compile(Plan{Name: "p", StartDelay: 10 * time.Minute, FinalBake: 3 * time.Hour,
		Urgencies: []Urgency{{Name: "emergency", BakeScale: 0.5}},
		Rings: []Ring{
			{Name: "a", Select: Selector{{Key: "ring", Values: []string{"a"}}}, Steps: []float64{50, 100}, Bakes: []time.Duration{time.Hour, 2 * time.Hour}},
			{Name: "b", Linear: 50, Bake: 30 * time.Minute},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range []string{"", "emergency"} {
		s := p.Schedule(Update{ID: "u", Urgency: u}, t0)
		for _, st := range s.Steps {
			got = append(got, fmt.Sprintf("%s %s/%d %g%% +%s bake %s", u, st.Ring, st.Step+1, st.Percent, st.Start.Sub(t0), st.Bake))
		}
		got = append(got, fmt.Sprintf("%s complete +%s", u, s.Complete.Sub(t0)))
	}
	want := []string{
		" a/1 50% +10m0s bake 1h0m0s",
		" a/2 100% +1h10m0s bake 2h0m0s",
		" b/1 50% +3h10m0s bake 30m0s",
		" b/2 100% +3h40m0s bake 3h0m0s",
		" complete +6h40m0s",
		"emergency a/1 50% +5m0s bake 30m0s",
		"emergency a/2 100% +35m0s bake 1h0m0s",
		"emergency b/1 50% +1h35m0s bake 15m0s",
		"emergency b/2 100% +1h50m0s bake 1h30m0s",
		"emergency complete +3h20m0s",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("schedule (-want +got):\n%s", d)
	}
}

// TestCanaryHostsProperty: a ring's steps expose a non-decreasing number
// of hosts, never more than the ring has; a canary step of C hosts
// exposes exactly min(C, ring size) when no tenant cap binds.
func TestCanaryHostsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := must(Compile(genPlan(t, genOpts{})))
		f := must(NewFleet(p, "r", genHosts(t)))
		for r := range p.Rings {
			size, prev := f.RingSize(r), 0
			for j := range p.Steps(r) {
				n := f.Target(r, j)
				if n < prev || n > size {
					t.Fatalf("ring %d step %d exposes %d hosts after %d, of %d", r, j, n, prev, size)
				}
				prev = n
				if c := p.StepHosts(r, j); c > 0 && p.Rings[r].TenantCap == 0 && n != min(c, size) {
					t.Fatalf("ring %d: canary of %d hosts exposes %d of %d", r, c, n, size)
				}
			}
			if prev != size {
				t.Fatalf("ring %d ends with %d of %d hosts exposed", r, prev, size)
			}
		}
	})
}
