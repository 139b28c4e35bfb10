rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  trigger "crashes" {
    signal    = "crash"
    above     = 0.01
    min_count = 10000000000
    action    = "rollback"
  }
}
