rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "99999999999h"
  }
}
