rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1h"
  }
}
tenant "t" {
  select {
    tenant = "t"
  }
  maintenance {
    days  = ["sat"]
    start = "01:00"
    hours = 4
    zone  = "../../../../etc/passwd"
  }
}
