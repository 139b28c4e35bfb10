# Sensor updates (the agent binary itself): slower, and a person approves
# before the update leaves the early rings.
rollout "sensor" {
  applies_to = ["sensor"]

  ring "canary" {
    select {
      channel = "internal"
    }
    steps = [100]
    bake  = "4h"
    cover = ["os", "os_build", "arch"]
  }

  ring "early" {
    select {
      channel = ["early", "beta"]
    }
    steps       = [10, 100]
    bake        = "12h"
    min_healthy = 0.95
  }

  ring "broad" {
    steps      = [5, 25, 50, 100]
    bake       = "1d"
    tenant_cap = 25
    approval   = true
  }

  trigger "crash-rate" {
    signal = "crash"
    above  = 0.01
    action = "rollback"
  }

  trigger "went-quiet" {
    signal    = "silent"
    above     = 0.005
    min_count = 5
    action    = "halt"
  }

  urgency "emergency" {
    bake_scale = 0.1
  }

  urgency "expedited" {
    bake_scale = 0.5
  }
}
