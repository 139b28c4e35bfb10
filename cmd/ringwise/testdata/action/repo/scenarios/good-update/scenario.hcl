# A good update (no fault) to the same fleet of 300.
scenario "good-update" {
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
    id      = "u-good"
    kind    = "content"
    release = "2026-02-02T08:00:00Z"
  }
  telemetry {
    interval     = "1m"
    delay        = "30s"
    silent_after = "5m"
  }
}
