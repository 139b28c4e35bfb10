# Every host at once: no canary, no bake worth the name, no trigger. What
# the replayed incidents did; the frontier study's yardstick.
rollout "all-at-once" {
  ring "everyone" {
    steps = [100]
    bake  = "1m"
  }
}
