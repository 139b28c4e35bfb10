# Every host at once: no canary, no bake, no trigger.
rollout "all-at-once" {
  ring "everyone" {
    steps = [100]
    bake  = "1m"
  }
}
