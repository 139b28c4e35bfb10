rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  trigger "crashes" {
    signal  = "crash"
    against = "baseline"
    ratio   = -1e309
    action  = "rollback"
  }
}
