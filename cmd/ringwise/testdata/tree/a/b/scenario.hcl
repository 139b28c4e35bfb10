scenario "tiny" {
  policy  = "policy.hcl"
  horizon = "3h"
  sample  = "30m"
  fleet {
    cohort "canary" {
      hosts    = 3
      labels   = { channel = "internal" }
      check_in = "5m"
    }
    cohort "rest" {
      hosts    = 40
      labels   = { channel = "stable" }
      check_in = "10m"
    }
  }
  update {
    id      = "u1"
    kind    = "content"
    release = "2026-02-02T08:00:00Z"
  }
  fault "loop" {
    mode = "boot_loop"
  }
}
