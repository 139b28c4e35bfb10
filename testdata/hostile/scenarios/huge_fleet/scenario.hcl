scenario "hostile" {
  policy     = "policy.hcl"
  horizon    = "2h"
  resolution = "1m"
  sample     = "10m"

  fleet {
    cohort "all" {
      hosts    = 10000000
      labels   = { os = "windows" }
      tenants  = 10000000
      check_in = "10m"
    }
    cohort "more" {
      hosts    = 10000000
      labels   = { os = "linux" }
      tenants  = 10000000
      check_in = "10m"
    }
  }

  update {
    id      = "u-1"
    kind    = "content"
    release = "2026-01-05T14:00:00Z"
  }
}
