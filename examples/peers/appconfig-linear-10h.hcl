# AWS AppConfig's worked example of a linear strategy: a 10 hour
# deployment with 20% linear growth reaches 20% after 2 hours, 40% after
# 4, and 100% after 10. The example sets no final bake; the last step
# bakes one interval like the others.
rollout "appconfig-linear-10h" {
  start_delay = "2h"

  ring "all" {
    steps = { linear = 20 }
    bake  = "2h"
  }
}
