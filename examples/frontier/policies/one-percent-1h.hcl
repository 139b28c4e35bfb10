# Two rings: 1% of the fleet for an hour, then everyone. The language
# selects rings by label, so the 1% is the first step of one ring (the same
# stable-hash 1% a separate ring would take). No trigger. Smallest health
# gate the language allows (see canary-exponential.hcl).
rollout "one-percent-1h" {
  ring "everyone" {
    steps       = [1, 100]
    bake        = "1h"
    min_healthy = 0.01
  }
}
