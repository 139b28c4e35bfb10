# staged.hcl behind a change freeze that covers the scenarios' release day.
rollout "frozen" {
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "20m"
  }
  ring "rest" {
    steps = [10, 50, 100]
    bake  = "20m"
  }
  gate "freeze" {
    rego = "gates/freeze.rego"
    data = ["gates/holidays.json"]
  }
}
