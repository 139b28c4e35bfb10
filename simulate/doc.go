// Package simulate replays a rollout policy against a simulated fleet: the
// hosts check in and ask the real rollout engine whether they may take the
// update (rollout.Fleet.EligibleAt), the controller call
// (rollout.Fleet.Decide) runs on observations built from simulated
// telemetry, and faults break the hosts that take a bad update. It reports
// both sides of the trade-off a policy makes: the damage of a bad update
// (failed hosts, host-hours down, hands-on repairs, time to detect and to
// halt) and the delay before a good one protects the fleet (time to 50%,
// 95% and 99% coverage).
//
// The simulator never re-implements a policy rule: every exposure and every
// revert is the engine's Take or Revert verdict for that host at that
// time, and every halt, rollback and advance is a Decision.
//
// # Scenarios
//
// A scenario is an HCL file (see LoadScenario for the language): a fleet of
// cohorts, the update, faults, telemetry, people, the policy it runs and a
// horizon. Problems are hcl.Diagnostics with FILE:LINE:COL ranges, like
// policy files.
//
// # Model
//
// Time advances in ticks of the scenario's resolution (1 minute by
// default). Hosts act only when something can change for them: when the
// rollout advances, the hosts the new step exposes (rollout.Fleet.Exposed)
// are queued at their next check-in; a host told to wait until a window
// opens is queued at that time; a host that took a faulty update is queued
// when the fault strikes, and so on. Nothing happens per host per tick, and
// telemetry is counted in aggregate (per-tick histograms of when reports
// are sent), not sent host by host. Check-in times, report times, losses
// and fault draws are hashes of the run's seed and the host's position, so
// a run needs no per-host random state and a few bytes per host.
//
// Telemetry: every host reports every telemetry interval (at a phase of
// its own); a report is lost with the scenario's loss probability and
// arrives after its delay. An updated host counts as healthy once its first
// report after updating arrives; it counts as silent while it has not
// reported for silent_after (a boot-looping, crashed, silent or offline
// host). Background signal rates (events per host-hour) apply to updated and
// not-yet-updated hosts alike; faults add to them. Offline hosts are
// counted as silent for their first offline period after updating only
// (looking two sessions ahead). Baseline.Silent counts the targeted hosts
// not yet updated that have been offline for longer than silent_after,
// every offline period, followed session by session on an even sample of
// at least 65,536 of them (all of them in a smaller fleet) and scaled to
// Baseline.Hosts; a host leaves the sample's count when it updates.
//
// The observation passed to the controller call at time T: Updated.Hosts
// and Baseline.Hosts are what the update server knows at T (who took the
// update, who has not); everything reported (healthy reports, silence,
// signal counts and their host-hours, cover strata) is what was sent by T
// minus the telemetry delay. The controller is called at the time each
// Decision's Next asks for and at every telemetry interval, so that
// triggers see new data, also once the rollout is complete (a complete
// rollout still answers to its triggers: a fault slower than the rollout
// can still roll it back); it stops being called once the rollout is
// rolled back.
//
// Faults: a host the fault selects fails, with the fault's probability
// (Fault.Stages: the probability for the time the host takes the update),
// Latency after it takes the update, or after an outside event when the
// fault is latent until then (Fault.StrikesFrom). A crashed host that
// recovers by itself may crash again (Fault.FlapEvery: a flapping fault),
// and recovery may slow with how many hosts recover at once (Fault.Herd).
// testdata/faults.txt, flapping.txt and herd.txt show each.
//
// People stop the push by hand (People.Notice after the first failure)
// by halting or rolling back the rollout with rollout.Stop, as an
// operator would; the stop is in the state's audit log like any decision.
// Hosts still learn of a rollback only through
// the host call's Revert verdict, at their next check-in; a boot-looping
// host never takes it.
//
// # Determinism
//
// Run is a pure function of the scenario, the plan and the seed: no clock,
// no global random source, no map iteration. MonteCarlo derives each run's
// seed from its index and returns runs in index order, so results are the
// same whatever GOMAXPROCS is. The package builds for GOOS=js.
package simulate
