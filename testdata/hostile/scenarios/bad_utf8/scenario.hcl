scenario "hostile" {
  policy     = "policy.hcl"
  horizon    = "2h"
  resolution = "1m"
  sample     = "10m"

  fleet {
    cohort "all" {
      hosts    = 1000
      labels   = { os = "winÿþdows" }
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
