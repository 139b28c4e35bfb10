rollout "staged" {
  ring "canary" {
    select { channel = "internal" }
    steps = [100, 50]
    bake  = "20m"
  }
  trigger "went-quiet" {
    signal = "silent"
    above  = 0.05
    action = "reboot"
  }
}
