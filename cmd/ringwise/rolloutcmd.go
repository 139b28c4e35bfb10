//go:build !js

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

const rolloutDescription = `
Steer rollouts on a ringwise server:

  start   -id ID -update UPDATE -kind KIND [-urgency U] [-rollout NAME]
  status  ID      the rollout and its decision log, with reasons
  list            every rollout
  pause   ID -reason TEXT
  resume  ID      lift a pause, or resume a halted rollout
  approve ID -ring RING
  stop    ID -reason TEXT [-rollback]
  adopt   ID      move a rollout onto the server's edited policy, keeping its ring

The operator token comes from $RINGWISE_TOKEN or -token-file.`

func runRollout(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("rollout", "VERB [flags] [ID]", rolloutDescription)
	serverURL := fs.String("server", envOr("RINGWISE_SERVER", "http://127.0.0.1:8080"), "server `URL` (default $RINGWISE_SERVER)")
	tokenFile := fs.String("token-file", "", "`file` holding the operator token (default $RINGWISE_TOKEN)")
	jsonOut := fs.Bool("json", false, "print the server's JSON")
	id := fs.String("id", "", "start: the new rollout's ID")
	update := fs.String("update", "", "start: the update's ID")
	kind := fs.String("kind", "", "start: the update's kind")
	urgency := fs.String("urgency", "", "start: the update's urgency")
	plan := fs.String("rollout", "", "start: the policy's rollout block (default: picked by kind)")
	reason := fs.String("reason", "", "pause, stop: why (goes to the audit log)")
	ring := fs.String("ring", "", "approve: the ring to enter")
	rollback := fs.Bool("rollback", false, "stop: roll back instead of halting")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if c := parseFlags(fs, args, stdout, stderr); c >= 0 {
			return c
		}
		fmt.Fprintln(stderr, "ringwise rollout: a verb is required")
		usageError(fs, stderr)
		return 2
	}
	verb := args[0]
	// Flags may come before or after the ID.
	var rest []string
	flagArgs := args[1:]
	for len(flagArgs) > 0 {
		if c := parseFlags(fs, flagArgs, stdout, stderr); c >= 0 {
			return c
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		flagArgs = fs.Args()[1:]
	}
	token := os.Getenv("RINGWISE_TOKEN")
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "ringwise rollout: %v\n", err)
			return 1
		}
		token = strings.TrimSpace(string(b))
	}
	c := &server.Client{URL: *serverURL, Token: token}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	needID := func() (string, bool) {
		if len(rest) != 1 {
			fmt.Fprintf(stderr, "ringwise rollout %s: want one rollout ID, got %d arguments\n", verb, len(rest))
			return "", false
		}
		return rest[0], true
	}
	var st server.Status
	var err error
	switch verb {
	case "start":
		if *id == "" || *update == "" || *kind == "" || len(rest) > 0 {
			fmt.Fprintln(stderr, "ringwise rollout start: -id, -update and -kind are required, and no arguments")
			return 2
		}
		st, err = c.Start(ctx, server.StartRequest{ID: *id, Update: rollout.Update{ID: *update, Kind: *kind, Urgency: *urgency}, Rollout: *plan})
	case "status":
		rid, ok := needID()
		if !ok {
			return 2
		}
		st, err = c.Status(ctx, rid)
	case "list":
		if len(rest) > 0 {
			fmt.Fprintln(stderr, "ringwise rollout list: no arguments")
			return 2
		}
		list, err := c.List(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "ringwise rollout list: %v\n", err)
			return 1
		}
		if *jsonOut {
			return printJSON(stdout, list)
		}
		tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUPDATE\tKIND\tPHASE\tRING\tSTEP\tPERCENT\tSTARTED")
		for _, s := range list {
			phase := string(s.Phase)
			if s.Paused {
				phase += " (paused)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%g%%\t%s\n", s.ID, s.Update.ID, s.Update.Kind, phase, s.Ring, s.Step, s.Percent, s.Started.UTC().Format(time.RFC3339))
		}
		tw.Flush()
		return 0
	case "pause", "resume", "approve", "stop", "adopt":
		rid, ok := needID()
		if !ok {
			return 2
		}
		st, err = c.Act(ctx, rid, verb, server.ActionRequest{Reason: *reason, Ring: *ring, Rollback: *rollback})
	default:
		fmt.Fprintf(stderr, "ringwise rollout: unknown verb %q (start, status, list, pause, resume, approve, stop, adopt)\n", verb)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "ringwise rollout %s: %v\n", verb, err)
		return 1
	}
	if *jsonOut {
		return printJSON(stdout, st)
	}
	printStatus(stdout, st)
	return 0
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func printJSON(w io.Writer, v any) int {
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(w, "%s\n", b)
	return 0
}

// printStatus renders a rollout for people: where it is, then its
// decision log with the reasons.
func printStatus(w io.Writer, s server.Status) {
	fmt.Fprintf(w, "rollout %s: update %s (%s", s.ID, s.Update.ID, s.Update.Kind)
	if s.Update.Urgency != "" {
		fmt.Fprintf(w, ", %s", s.Update.Urgency)
	}
	fmt.Fprintf(w, ") under plan %q\n", s.Plan)
	phase := string(s.Phase)
	if s.Paused {
		phase += ", paused: " + s.Pause
	}
	fmt.Fprintf(w, "phase   %s\n", phase)
	if s.Step > 0 {
		fmt.Fprintf(w, "at      ring %s step %d: %g%% of the ring (%d hosts)\n", s.Ring, s.Step, s.Percent, s.Exposed)
	} else {
		fmt.Fprintf(w, "at      ring %s, before its first step\n", s.Ring)
	}
	if s.Stopped != "" {
		fmt.Fprintf(w, "stopped %s\n", s.Stopped)
	}
	if !s.Next.IsZero() {
		fmt.Fprintf(w, "next    %s\n", s.Next.UTC().Format(time.RFC3339))
	}
	if s.Telemetry != "" {
		fmt.Fprintf(w, "telemetry unavailable, holding: %s\n", s.Telemetry)
	}
	if s.Error != "" {
		fmt.Fprintf(w, "error   %s\n", s.Error)
	}
	for _, a := range s.Approvals {
		fmt.Fprintf(w, "approved ring %s by %s at %s\n", a.Ring, a.By, a.At.UTC().Format(time.RFC3339))
	}
	if len(s.Log) > 0 {
		fmt.Fprintf(w, "\ndecisions:\n")
		for _, e := range s.Log {
			fmt.Fprintf(w, "%s\n", e)
		}
	}
}
