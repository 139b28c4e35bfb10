package rollout

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestHostileStates runs the state files of the hostile-input corpus
// (testdata/hostile/states at the module root) through ParseState: every
// one is refused with an error that says why, except those named in
// accepted, which must then decide, answer the host call and save again
// without loss.
func TestHostileStates(t *testing.T) {
	// A ring past the plan's parses (ParseState does not know the plan)
	// and must then hold; a long log is a long-lived rollout.
	accepted := map[string]bool{"log_flood.json": true, "huge_ring.json": true}
	paths, err := filepath.Glob("../testdata/hostile/states/*.json")
	if err != nil || len(paths) < 10 {
		t.Fatalf("hostile states: %d files, %v", len(paths), err)
	}
	f := must(NewFleet(must(Compile(Plan{Name: "p", Rings: []Ring{{Name: "all", Steps: []float64{50, 100}, Bake: time.Hour}}})), "r1", testHosts(10, 0)))
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			st, err := ParseState(b)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("ParseState took %v", took)
			}
			if !accepted[name] {
				if err == nil {
					t.Fatalf("accepted:\n%.300s", b)
				}
				if !strings.HasPrefix(err.Error(), "rollout: ") {
					t.Errorf("error without the package prefix: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused a valid state: %v", err)
			}
			now := st.Last.Add(time.Minute)
			d := f.Decide(context.Background(), st, Observation{At: now}, now)
			if name == "huge_ring.json" && (d.Action != Hold || len(d.Reasons) == 0) {
				t.Errorf("a ring past the plan: %v, want a hold that says why: %v", d.Action, d.Reasons)
			}
			_ = f.Eligible("h0001", &d.State, now)
			out, err := MarshalState(d.State)
			if err != nil {
				t.Fatalf("the decided state does not save: %v", err)
			}
			back, err := ParseState(out)
			if err != nil {
				t.Fatalf("the saved state does not parse: %v", err)
			}
			if diff := cmp.Diff(d.State, back, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-decided +parsed):\n%s", diff)
			}
		})
	}
}
