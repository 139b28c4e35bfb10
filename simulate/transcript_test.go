package simulate

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.txt with the actual output")

// A transcript (testdata/*.txt) is a sequence of commands in the manner of
// cockroachdb/datadriven:
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
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cmds := parseCommands(t, path)
			var sc *Scenario
			var plan *rollout.Plan
			var out strings.Builder
			for _, c := range cmds {
				got := runCommand(t, c, &sc, &plan)
				if *rewrite {
					c.expected = got
				} else if diff := cmp.Diff(c.expected, got); diff != "" {
					t.Errorf("%s:%d: %s: output differs (-want +got):\n%s", path, c.line, c.head, diff)
				}
				out.WriteString(c.render())
			}
			if *rewrite {
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

type command struct {
	comments []string
	line     int
	head     string
	args     map[string]string
	input    []string
	expected []string
}

func (c *command) render() string {
	var b strings.Builder
	for _, l := range c.comments {
		b.WriteString(l + "\n")
	}
	b.WriteString(c.head + "\n")
	for _, l := range c.input {
		b.WriteString(l + "\n")
	}
	b.WriteString("----\n")
	for _, l := range c.expected {
		b.WriteString(l + "\n")
	}
	b.WriteString("====\n")
	return b.String()
}

func parseCommands(t *testing.T, path string) []*command {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []*command
	var pending []string
	var cur *command
	section := 0 // 0 between commands, 1 input, 2 expected
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		l := sc.Text()
		switch section {
		case 0:
			if l == "" || strings.HasPrefix(l, "#") {
				pending = append(pending, l)
				continue
			}
			fields := strings.Fields(l)
			cur = &command{comments: pending, line: n, head: l, args: map[string]string{}}
			pending = nil
			for _, a := range fields[1:] {
				k, v, _ := strings.Cut(a, "=")
				cur.args[k] = v
			}
			cmds = append(cmds, cur)
			section = 1
		case 1:
			if l == "----" {
				section = 2
				continue
			}
			cur.input = append(cur.input, l)
		case 2:
			if l == "====" {
				section = 0
				continue
			}
			cur.expected = append(cur.expected, l)
		}
	}
	if section != 0 {
		t.Fatalf("%s: unterminated command %q", path, cur.head)
	}
	return cmds
}

func runCommand(t *testing.T, c *command, sc **Scenario, plan **rollout.Plan) []string {
	t.Helper()
	src := []byte(strings.Join(c.input, "\n") + "\n")
	name := strings.Fields(c.head)[0]
	switch name {
	case "scenario":
		s, file, diags := ParseScenario(src, "scenario.hcl")
		if diags.HasErrors() {
			var b strings.Builder
			policy.WriteDiagnostics(&b, map[string]*hcl.File{"scenario.hcl": file}, diags)
			return lines(b.String())
		}
		*sc = s
		return []string{fmt.Sprintf("ok: %d hosts in %d cohorts, %d faults", s.Hosts(), len(s.Cohorts), len(s.Faults))}
	case "policy":
		pol, diags := policy.Load(fstest.MapFS{"policy.hcl": {Data: src}})
		if diags.HasErrors() {
			return []string{"error: " + diags.Error()}
		}
		*plan = pol.Plans[0]
		return []string{"ok: rollout " + (*plan).Name}
	case "run", "hosts":
		seed, _ := strconv.ParseUint(c.args["seed"], 10, 64)
		s, err := New(*sc, *plan)
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		if name == "hosts" {
			return hostsOf(t, s, seed)
		}
		res, err := s.Run(context.Background(), seed)
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		every, _ := strconv.Atoi(c.args["timeline"])
		return describe(res, every)
	}
	t.Fatalf("line %d: unknown command %q", c.line, name)
	return nil
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
