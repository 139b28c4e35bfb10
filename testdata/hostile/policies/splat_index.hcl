rollout "content" {
  ring "canary" {
    steps = [[1, 100]][0]
    bake  = "1h"
  }
}
