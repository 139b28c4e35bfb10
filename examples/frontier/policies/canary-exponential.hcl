# AWS AppConfig's AppConfig.Canary10Percent20Minutes, the schedule of
# examples/peers/appconfig-canary10-20m.hcl (checked there against the
# published offsets): 10, 20, 40, 80, 100% over 20 minutes, then 10
# minutes of monitoring. No trigger: AppConfig's alarms are the user's own.
#
# The policy language does not yet allow a step without a health gate
# (issue 10, point 4), and the peers file carries the default one
# (min_healthy = 0.9: nine in ten updated hosts must report healthy before
# a step ends), which AppConfig does not have. Here each step carries the
# smallest gate the language accepts, min_healthy = 0.01 (one updated
# host in a hundred reporting healthy); a fault that keeps every updated
# host from reporting still stalls the schedule, which flatters it.
rollout "canary-exponential" {
  start_delay = "4m"
  final_bake  = "10m"

  ring "all" {
    steps       = { exponential = 10 }
    bake        = "4m"
    min_healthy = 0.01
  }
}
