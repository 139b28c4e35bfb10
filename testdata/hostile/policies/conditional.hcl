rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = true ? "1h" : "2h"
  }
}
