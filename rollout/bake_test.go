package rollout

import (
	"context"
	"testing"

	"pgregory.net/rapid"
)

// TestPropertyEvidenceBake: a rollout walked forward on clean observations
// (every signal present, no failures, each step asked when its bake's time
// is up), with the number of hosts that took the update and their exposure
// drawn around the bars, advances from a step exactly when its evidence is
// in: the ring's share of offered hosts took the update (MinTaken, or
// DefaultMinTaken with a health gate), the step's exposure reached
// MinHostHours, and, with a health gate, some host reported healthy.
func TestPropertyEvidenceBake(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genPlan(t, genOpts{})
		p.Triggers, p.StartDelay = nil, 0
		for i := range p.Rings {
			p.Rings[i].Approval, p.Rings[i].Cover = false, nil
		}
		plan, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := NewFleet(plan, "r", genHosts(t))
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.Start(Update{ID: "u1", Kind: "content"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		for range 40 {
			if st.Phase != Running {
				break
			}
			earlier := 0
			for r := range st.Ring {
				earlier += f.RingSize(r)
			}
			target := f.Target(st.Ring, st.Step)
			taken := rapid.IntRange(earlier, earlier+target).Draw(t, "taken")
			ran := float64(rapid.IntRange(0, 40).Draw(t, "ran"))
			obs := Observation{At: now, Updated: Cohort{Hosts: taken, Healthy: taken, Hours: st.StepHours + ran}}
			d := f.Decide(context.Background(), st, obs, now)

			nr, ns := st.Ring, st.Step+1
			if ns >= plan.Steps(nr) {
				nr = nr + 1
			}
			emptyNext := (nr != st.Ring || st.Step < 0) && nr < len(plan.Rings)-1 && f.RingSize(nr) == 0
			want := !emptyNext
			if st.Step >= 0 {
				ring := plan.Rings[st.Ring]
				share := ring.MinTaken
				if share == 0 && !ring.NoHealthGate {
					share = DefaultMinTaken
				}
				want = want && taken-earlier >= exactNeed(share, target)
				want = want && (ring.MinHostHours == 0 || ran >= ring.MinHostHours)
				want = want && (ring.NoHealthGate || taken > 0 || target == 0)
			}
			if got := d.Action == Advance || d.Action == Done; got != want {
				t.Fatalf("at ring %d step %d (%d earlier hosts, %d offered, %d updated, %g host-hours): got %s %v, want advance %t",
					st.Ring, st.Step, earlier, target, taken, ran, d.Action, d.Reasons, want)
			}
			st = d.State
			if !d.Next.IsZero() {
				now = later(now, d.Next)
			}
			now = now.Add(1) // a newer observation
		}
	})
}
