# An update that boot-loops every host that takes it, on a fleet of 300.
scenario "bad-push" {
  policy  = "../../policies"
  horizon = "6h"
  sample  = "10m"
  fleet {
    cohort "internal" {
      hosts    = 20
      labels   = { channel = "internal" }
      check_in = "2m"
    }
    cohort "customers" {
      hosts    = 280
      labels   = { channel = "stable" }
      check_in = "5m"
    }
  }
  update {
    id      = "u-bad"
    kind    = "content"
    release = "2026-02-02T08:00:00Z"
  }
  fault "loop" {
    mode    = "boot_loop"
    latency = "uniform(30s, 2m)"
  }
  telemetry {
    interval     = "1m"
    delay        = "30s"
    silent_after = "5m"
  }
  people {
    notice = "1h"
    action = "rollback"
    repair {
      from     = "2h"
      per_hour = 100
    }
  }
}
