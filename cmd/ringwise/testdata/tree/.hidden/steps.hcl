rollout "content" {
  applies_to = ["content"]

  ring "canary" {
    steps = [1, 50, 10, 100]
    bake  = "30m"
  }

  ring "broad" {
    steps      = [1, 10, 50, 100]
    bake       = "2h"
    tennant_cap = 50
  }

  trigger "crash" {
    signal  = "crash"
    above   = 0.01
    against = "baseline"
    action  = "halt"
  }
}
