# Version 2: every kind of change.
rollout "content" {
  applies_to = ["content", "config"]

  ring "canary" {
    select { channel = ["internal", "beta"] }
    steps    = [100]
    bake     = "30m"
    cover    = ["os_build", "arch"]
    approval = true
  }
  ring "early" {
    steps = [100]
    bake  = "1h"
    select { channel = "early" }
  }
  ring "broad" {
    steps       = [1, 5, 25, 100]
    bake        = "1h30m"
    tenant_cap  = 25
    min_healthy = 0.95
  }

  trigger "crash-loop" {
    signal    = "crash"
    test      = "sprt"
    rate      = 0.0005
    ratio     = 2
    alpha     = 0.01
    action    = "rollback"
  }

  blackout "year-end" {
    from   = "2026-12-18T00:00:00Z"
    to     = "2027-01-04T00:00:00Z"
    exempt = ["emergency"]
  }
  gate "freeze" { rego = "freeze.rego" }
  urgency "emergency" { bake_scale = 0.2 }
  urgency "expedited" { bake_scale = 0.5 }
}

tenant "hospital" {
  select { tenant = "st-marys" }
  defer = "72h"
  maintenance {
    days  = ["sat", "sun"]
    start = "22:00"
    hours = 6
    zone  = "Europe/London"
  }
  maintenance {
    days  = ["wed"]
    start = "02:00"
    hours = 2
    zone  = "Europe/London"
  }
}

tenant "trading" {
  select { tenant = "northwind" }
  opt_out = ["config"]
}
