# What happened in the replayed incident: the update goes to every host at
# once, with no canary, no bake and no trigger. A baseline to compare the
# recommended policy with, not a policy to use.
rollout "all-at-once" {
  ring "everyone" {
    steps = [100]
    bake  = "1m"
  }
}
