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
  # offline all day, so the bar sits above normal churn (replayed with
  # examples/good-update, 1-2% of updated hosts are quiet at any time); a
  # crash loop silences far more, far faster.
  trigger "went-quiet" {
    signal    = "silent"
    above     = 0.05
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
