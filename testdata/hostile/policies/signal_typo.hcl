rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  trigger "crashes" {
    signal = "crsh"
    above  = 0.01
    action = "rollback"
  }
}
