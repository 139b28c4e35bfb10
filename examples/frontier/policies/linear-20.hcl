# AWS AppConfig's AppConfig.Linear20PercentEvery6Minutes, the schedule of
# examples/peers/appconfig-linear20-every6m.hcl (checked there against the
# published offsets): 20% more every 6 minutes, then 30 minutes of
# monitoring. No trigger; the smallest health gate the language accepts
# (see canary-exponential.hcl).
rollout "linear-20" {
  start_delay = "6m"
  final_bake  = "30m"

  ring "all" {
    steps       = { linear = 20 }
    bake        = "6m"
    min_healthy = 0.01
  }
}
