# Linear: 20% more of the fleet every 6 minutes, everything offered at
# +24m. No trigger. Smallest health gate the language allows (see
# canary-exponential.hcl).
rollout "linear-20" {
  ring "everyone" {
    steps       = [20, 40, 60, 80, 100]
    bake        = "6m"
    min_healthy = 0.01
  }
}
