rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
  gate "g" {
    rego = "gates/x509_clock.rego"
  }
}
