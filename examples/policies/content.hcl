# Content updates (detection rules, signatures): small, frequent, and the
# kind of update that once took 8.5 million hosts down in 78 minutes. They
# go to internal hosts first, covering every OS build and architecture, then
# to the fleet in steps, never more than half of any one tenant at a time.
rollout "content" {
  applies_to = ["content"]

  ring "canary" {
    select {
      channel = "internal"
    }
    steps = [100]
    bake  = "30m"
    cover = ["os_build", "arch"]
  }

  ring "broad" {
    steps      = [1, 10, 50, 100]
    bake       = "2h"
    tenant_cap = 50
  }

  # Updated hosts crashing twice as often as hosts not yet updated.
  trigger "crash-loop" {
    signal    = "crash"
    against   = "baseline"
    ratio     = 2.0
    min_count = 3
    action    = "rollback"
  }

  # A sequential test stays valid however often it is checked.
  trigger "crash-sprt" {
    signal = "crash"
    test   = "sprt"
    rate   = 0.0005
    ratio  = 2
    alpha  = 0.01
    action = "rollback"
  }

  # Silence is not health: hosts that updated and went quiet. Laptops go
  # offline all day, and how many depends on the hour: a fixed bar low
  # enough to be quick (0.2%) halts a good update within 2 hours, and even
  # 5% halts one released at night (the fleet of examples/crowdstrike-2024
  # without its fault: 5.1% of updated hosts quiet after 7h40m). So the
  # bar is the churn of the hosts not yet updated: 2-3.5% of them are quiet
  # on a working day, 14% at 04:09 UTC. Replayed (8 seeds each), updated
  # hosts stay below 0.35 times that on a good update, day or night; the
  # CrowdStrike canary is 1.67 times it 20 minutes after release (94 of 400
  # quiet), and halts there.
  trigger "went-quiet" {
    signal    = "silent"
    against   = "baseline"
    ratio     = 1.5
    min_count = 10
    action    = "halt"
  }

  blackout "year-end" {
    from   = "2026-12-20T00:00:00Z"
    to     = "2027-01-04T00:00:00Z"
    exempt = ["emergency"]
  }

  urgency "emergency" {
    bake_scale = 0.1
  }
}
