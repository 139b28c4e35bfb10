# The Argo Rollouts getting-started canary: 20% of the traffic, a pause
# until a person promotes the rollout (pause: {}), then 40%, 60% and 80%
# ten seconds apart (pause: {duration: 10}), then 100%. ringwise steps
# hosts rather than traffic, and every step bakes for a positive time: the
# 20% step bakes one second before the promotion can take it on.
rollout "argo-canary" {
  ring "all" {
    steps         = [20, 40, 60, 80, 100]
    bakes         = ["1s", "10s", "10s", "10s", "10s"]
    approve_steps = [2]
  }
}
