rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  gate "g" {
    rego = "gates/string_doubling.rego"
  }
}
