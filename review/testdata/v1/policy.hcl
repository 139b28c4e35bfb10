# Version 1 of a policy that uses every construct.
rollout "content" {
  applies_to = ["content"]

  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "30m"
    cover = ["os_build"]
  }
  ring "broad" {
    steps      = [1, 10, 50, 100]
    bake       = "2h"
    tenant_cap = 50
  }

  trigger "crash-loop" {
    signal    = "crash"
    against   = "baseline"
    ratio     = 2
    min_count = 3
    action    = "rollback"
  }
  trigger "went-quiet" {
    signal = "silent"
    above  = 0.01
    action = "halt"
  }

  blackout "year-end" {
    from = "2026-12-20T00:00:00Z"
    to   = "2027-01-04T00:00:00Z"
  }
  gate "freeze" { rego = "freeze.rego" }
  urgency "emergency" { bake_scale = 0.1 }
}

rollout "sensor" {
  applies_to = ["sensor"]
  ring "all" {
    steps = [5, 100]
    bake  = "4h"
  }
}

tenant "hospital" {
  select { tenant = "st-marys" }
  defer = "48h"
  maintenance {
    days  = ["sat", "sun"]
    start = "23:00"
    hours = 4
    zone  = "Europe/London"
  }
}
