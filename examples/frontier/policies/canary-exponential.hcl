# A 10% canary, then doubling every 5 minutes: 10, 20, 40, 80, 100% of the
# fleet, everything offered 20 minutes after release. No trigger: the
# schedule is clock-driven, as a feature-flag percentage rollout is.
#
# The policy language does not yet allow a step without a health gate
# (issue 10, point 4), so each step carries the smallest one it accepts:
# min_healthy = 0.01 (1 in 100 updated hosts reporting healthy). A fault
# that stops every updated host from reporting stalls this schedule at its
# first step, which flatters it.
rollout "canary-exponential" {
  ring "everyone" {
    steps       = [10, 20, 40, 80, 100]
    bake        = "5m"
    min_healthy = 0.01
  }
}
