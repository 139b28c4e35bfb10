# The fleet's content rollout: a canary, then the rest in growing steps,
# rolled back when updated hosts go quiet.
rollout "content" {
  applies_to = ["content"]

  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "20m"
  }
  ring "rest" {
    steps = [10, 50, 100]
    bake  = "20m"
  }

  trigger "went-quiet" {
    signal    = "silent"
    above     = 0.05
    min_count = 3
    action    = "rollback"
  }

  gate "freeze" {
    rego = "gates/freeze.rego"
    data = ["gates/holidays.json"]
  }
}
