package simulate

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/transcript"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

// A transcript (testdata/*.txt) is a sequence of commands in the manner of
// cockroachdb/datadriven, run by internal/transcript (go test -rewrite
// writes the actual outputs back):
//
//	# comments
//	COMMAND [ARG=VALUE...]
//	input lines
//	----
//	expected output lines
//	====
//
// Commands: "scenario" (input: a scenario file), "policy" (input: a
// policy file), "run seed=N [timeline=N]" (runs the last scenario under the
// last policy and prints the metrics, the decisions and every Nth
// timeline point), "hosts seed=N" (prints each host's final state).
func TestTranscripts(t *testing.T) {
	transcript.RunGlob(t, "testdata/*.txt", transcript.Format{End: "===="}, transcriptHandlers)
}

// transcriptHandlers returns the commands of one transcript, over the
// scenario and the plan its commands set.
func transcriptHandlers(t *testing.T) map[string]transcript.Handler {
	var (
		sc   *Scenario
		plan *rollout.Plan
	)
	src := func(c *transcript.Case) []byte { return []byte(strings.Join(c.Input, "\n") + "\n") }
	seed := func(c *transcript.Case) uint64 {
		v, _ := c.Arg("seed")
		n, _ := strconv.ParseUint(v, 10, 64)
		return n
	}
	return map[string]transcript.Handler{
		"scenario": func(t *testing.T, c *transcript.Case) []string {
			s, file, diags := ParseScenario(src(c), "scenario.hcl")
			if diags.HasErrors() {
				var b strings.Builder
				policy.WriteDiagnostics(&b, map[string]*hcl.File{"scenario.hcl": file}, diags)
				return lines(b.String())
			}
			sc = s
			return []string{fmt.Sprintf("ok: %d hosts in %d cohorts, %d faults", s.Hosts(), len(s.Cohorts), len(s.Faults))}
		},
		"policy": func(t *testing.T, c *transcript.Case) []string {
			pol, diags := policy.Load(fstest.MapFS{"policy.hcl": {Data: src(c)}})
			if diags.HasErrors() {
				return []string{"error: " + diags.Error()}
			}
			plan = pol.Plans[0]
			return []string{"ok: rollout " + plan.Name}
		},
		"run": func(t *testing.T, c *transcript.Case) []string {
			s, err := New(sc, plan)
			if err != nil {
				return []string{"error: " + err.Error()}
			}
			res, err := s.Run(context.Background(), seed(c))
			if err != nil {
				return []string{"error: " + err.Error()}
			}
			v, _ := c.Arg("timeline")
			every, _ := strconv.Atoi(v)
			return describe(res, every)
		},
		"hosts": func(t *testing.T, c *transcript.Case) []string {
			s, err := New(sc, plan)
			if err != nil {
				return []string{"error: " + err.Error()}
			}
			return hostsOf(t, s, seed(c))
		},
	}
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// describe renders a run for a transcript.
func describe(r *Result, every int) []string {
	var out []string
	for _, m := range Metrics {
		v, ok := r.Metric(m)
		out = append(out, fmt.Sprintf("%s: %s", m, metricText(m, v, ok)))
	}
	out = append(out, "end: "+r.End)
	for _, d := range r.Decisions {
		out = append(out, fmt.Sprintf("%s %s %s/%d", Clock(d.At), d.Action, d.Ring, d.Step))
		for _, x := range d.Reasons {
			out = append(out, "  "+x)
		}
	}
	if every > 0 {
		out = append(out, "t exposed waiting updated crashed boot_loop silent degraded reverted repaired")
		for k, p := range r.Timeline {
			if k%every == 0 || k == len(r.Timeline)-1 {
				out = append(out, fmt.Sprintf("%s %d %d %d %d %d %d %d %d %d", Clock(p.T), p.Exposed, p.Waiting, p.Updated, p.Crashed, p.BootLoop, p.Silent, p.Degraded, p.Reverted, p.Repaired))
			}
		}
	}
	return out
}

// hostsOf runs and lists each host's final state with its ID.
func hostsOf(t *testing.T, s *Sim, seed uint64) []string {
	var final []string
	_, r, err := s.runState(context.Background(), seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.h {
		final = append(final, fmt.Sprintf("%s %s", s.inv.ID(i), stateNames[r.h[i].state]))
	}
	return final
}
