# What happened in the replayed incidents: the update goes to every host at
# once, with no canary, no bake and no trigger. A baseline for the
# simulator, not a policy to use.
rollout "all-at-once" {
  ring "everyone" {
    steps = [100]
    bake  = "1m"
  }
}
