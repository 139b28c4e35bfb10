scenario "hostile" {
  policy     = "policy.hcl"
  horizon    = "876000000h"
  resolution = "1ns"
  sample     = "10m"

  fleet {
    cohort "all" {
      hosts    = 1000
      labels   = { os = "windows" }
      check_in = "10m"
      jitter   = "2m"
    }
  }

  update {
    id      = "u-1"
    kind    = "content"
    release = "2026-01-05T14:00:00Z"
  }
}
