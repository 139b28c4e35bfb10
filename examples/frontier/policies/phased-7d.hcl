# A phased release over 7 days, as app stores offer it: 1, 2, 5, 10, 20,
# 50, 100% of the fleet, one step a day. No trigger. Smallest health gate
# the language allows (see canary-exponential.hcl).
rollout "phased-7d" {
  ring "everyone" {
    steps       = [1, 2, 5, 10, 20, 50, 100]
    bake        = "24h"
    min_healthy = 0.01
  }
}
