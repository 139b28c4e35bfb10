rollout "content" {
  ring "canary" {
    steps = [100, 1e400]
    bake  = "1h"
  }
}
