# AWS AppConfig's predefined strategy AppConfig.Canary10Percent20Minutes:
# exponential growth with a 10% growth factor (G*2^N: 10, 20, 40, 80,
# then 100%) over 20 minutes, then 10 minutes of alarm monitoring. The
# 20 minutes are spread evenly over the five increments (4 minutes each),
# the first one interval after the start, as in AppConfig's linear form.
rollout "appconfig-canary10-20m" {
  start_delay = "4m"
  final_bake  = "10m"

  ring "all" {
    steps = { exponential = 10 }
    bake  = "4m"
  }
}
