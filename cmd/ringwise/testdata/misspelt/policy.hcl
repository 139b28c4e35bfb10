rollout "content" {
  applies_to = ["content"]
  ring "all" {
    steps = [10, 100]
    bake  = "30m"
  }
}

rollout "default" {
  ring "all" {
    steps = [100]
    bake  = "1h"
  }
}
