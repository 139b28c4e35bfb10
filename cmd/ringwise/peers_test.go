package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringwise/ringwise/rollout"
)

// TestPeerSchedules: each policy of examples/peers reproduces a published
// schedule of another rollout system. plan -json must give the published
// percentages at the published offsets (seconds from the start), and the
// published completion where one is stated.
func TestPeerSchedules(t *testing.T) {
	const minute, hour, day = 60, 3600, 86400
	type step struct {
		Percent float64
		Offset  int64
	}
	for _, tc := range []struct {
		file     string
		source   string
		steps    []step
		complete int64 // seconds from the start; -1 when not published
	}{
		{
			file: "appconfig-linear20-every6m.hcl",
			// https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-deployment-strategy-predefined.html:
			// "deploys the configuration to 20% of all targets every six
			// minutes for a 30 minute deployment. The system monitors for
			// Amazon CloudWatch alarms for 30 minutes."
			// https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-deployment-strategy.html:
			// linear steps land one interval after the start (0 h 0%, 2 h 20%, ...).
			steps:    []step{{20, 6 * minute}, {40, 12 * minute}, {60, 18 * minute}, {80, 24 * minute}, {100, 30 * minute}},
			complete: 60 * minute,
		},
		{
			file: "appconfig-canary10-20m.hcl",
			// Same predefined-strategies page: "processes the deployment
			// exponentially using a 10% growth factor over 20 minutes. The
			// system monitors for CloudWatch alarms for 10 minutes."
			// appconfig-creating-deployment-strategy.html: exponential is
			// G*(2^N): 10, 20, 40, 80 and then 100%. The page does not give
			// the step times; spread evenly over the 20 minutes, as its
			// linear form is, they are 4 minutes apart.
			steps:    []step{{10, 4 * minute}, {20, 8 * minute}, {40, 12 * minute}, {80, 16 * minute}, {100, 20 * minute}},
			complete: 30 * minute,
		},
		{
			file: "appconfig-linear-10h.hcl",
			// appconfig-creating-deployment-strategy.html, "an example
			// timeline for a 10 hour deployment that uses 20% linear
			// growth": 0 hour 0%, 2 hour 20%, 4 hour 40%, 6 hour 60%,
			// 8 hour 80%, 10 hour 100%.
			steps:    []step{{20, 2 * hour}, {40, 4 * hour}, {60, 6 * hour}, {80, 8 * hour}, {100, 10 * hour}},
			complete: -1,
		},
		{
			file: "argo-canary-manual-promotion.hcl",
			// https://argoproj.github.io/argo-rollouts/getting-started/:
			// setWeight 20, pause {} (until promoted), setWeight 40,
			// pause {duration: 10}, setWeight 60, pause {duration: 10},
			// setWeight 80, pause {duration: 10}. With the promotion at
			// once (plan's assumption), Argo reaches 40% at +0s; ringwise
			// needs a positive bake, so one second later: every offset
			// after the first is Argo's plus 1 s.
			steps:    []step{{20, 0}, {40, 1}, {60, 11}, {80, 21}, {100, 31}},
			complete: -1,
		},
		{
			file: "apple-phased-release.hcl",
			// https://developer.apple.com/help/app-store-connect/update-your-app/release-a-version-update-in-phases/:
			// "release your app's update gradually over 7 days": day 1 1%,
			// day 2 2%, day 3 5%, day 4 10%, day 5 20%, day 6 50%, day 7 100%.
			steps:    []step{{1, 0}, {2, day}, {5, 2 * day}, {10, 3 * day}, {20, 4 * day}, {50, 5 * day}, {100, 6 * day}},
			complete: 7 * day,
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"plan", "-json", "-start", "2026-01-05T09:00:00Z", filepath.Join("..", "..", "examples", "peers", tc.file)}, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("plan exited %d: %s", code, stderr.String())
			}
			var s rollout.ScheduleJSON
			if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			var got []step
			for _, st := range s.Steps {
				got = append(got, step{st.Percent, st.OffsetSeconds})
			}
			if d := cmp.Diff(tc.steps, got); d != "" {
				t.Errorf("steps (-published +plan):\n%s", d)
			}
			if tc.complete >= 0 {
				if n := len(s.Steps); n > 0 {
					last := s.Steps[n-1]
					if c := last.OffsetSeconds + last.BakeSeconds; c != tc.complete {
						t.Errorf("complete at +%ds, published +%ds", c, tc.complete)
					}
				}
			}
		})
	}
}
