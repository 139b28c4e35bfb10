rollout "content" {
  ring "all" {
    steps = [10, 100]
    bake  = "1h"
  }
  gate "freeze" {
    rego = "../freeze.rego"
  }
}
