rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
}
rollout "content" {
  ring "canary" {
    steps = [50, 100]
    bake  = "2h"
  }
}
