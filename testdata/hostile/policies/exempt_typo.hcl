rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  blackout "year-end" {
    from   = "2026-12-20T00:00:00Z"
    to     = "2027-01-04T00:00:00Z"
    exempt = ["emergncy"]
  }
  urgency "emergency" {
    bake_scale = 0.1
  }
}
