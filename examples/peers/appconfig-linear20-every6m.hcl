# AWS AppConfig's predefined strategy AppConfig.Linear20PercentEvery6Minutes:
# 20% of all targets every six minutes for a 30 minute deployment, then
# CloudWatch alarms are watched for 30 minutes before the deployment is
# complete. As AppConfig's own linear example shows (0 h: 0%, 2 h: 20%,
# ... 10 h: 100%), the first increment comes one interval after the start.
rollout "appconfig-linear20-every6m" {
  start_delay = "6m"
  final_bake  = "30m"

  ring "all" {
    steps = { linear = 20 }
    bake  = "6m"
  }
}
