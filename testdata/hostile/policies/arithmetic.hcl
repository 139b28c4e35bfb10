rollout "content" {
  ring "canary" {
    steps = [1 + 1, 100]
    bake  = "1h"
  }
}
