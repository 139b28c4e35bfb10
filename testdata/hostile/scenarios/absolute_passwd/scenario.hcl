scenario "hostile" {
  policy     = "/etc/passwd"
  horizon    = "2h"
  resolution = "1m"
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
