rollout "staged" {
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "30m"
  }
  ring "rest" {
    steps = [100]
    bake  = "30m"
  }
  trigger "quiet" {
    signal = "silent"
    above  = 0.1
    action = "rollback"
  }
}
