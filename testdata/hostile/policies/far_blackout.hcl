rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  blackout "forever" {
    from = "2026-12-20T00:00:00Z"
    to   = "99999-01-04T00:00:00Z"
  }
}
