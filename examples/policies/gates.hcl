# Rego gates: the rules an organisation adds on top of rings and triggers.
# Each gate names its Rego modules and data files, relative to this
# directory; their unit tests run with `ringwise test examples/policies/gates`.
# Loading this file needs the Rego gate loader (policy/rego), as
# `ringwise check` does.
#
# Kernel driver updates: code that runs in the kernel, like the sensor.
# Hosts carry a tier label: "standard", or "critical" for tenants such as
# hospitals and emergency services, which go last and under stricter rules.
rollout "driver" {
  applies_to = ["driver"]

  ring "canary" {
    select {
      channel = "internal"
    }
    steps = [100]
    bake  = "4h"
    cover = ["os", "os_build", "arch"]
  }

  ring "broad" {
    select {
      tier = "standard"
    }
    steps      = [5, 25, 100]
    bake       = "1d"
    tenant_cap = 25
  }

  ring "critical" {
    select {
      tier = "critical"
    }
    steps = [10, 100]
    bake  = "1d"
  }

  trigger "crash-rate" {
    signal = "crash"
    above  = 0.005
    action = "rollback"
  }

  trigger "went-quiet" {
    signal    = "silent"
    above     = 0.005
    min_count = 5
    action    = "halt"
  }

  # No advance on a company holiday (gates/holidays.json).
  gate "freeze" {
    rego = "gates/freeze.rego"
    data = ["gates/holidays.json"]
  }

  # A person approves before kernel code goes broad.
  gate "kernel-approval" {
    rego = "gates/sensor_approval.rego"
  }

  # An emergency moves on the word of two different people.
  gate "four-eyes" {
    rego = "gates/emergency_approvers.rego"
  }

  # Critical-tier rings: the update must have run 72h, and one crash halts.
  gate "critical-tier" {
    rego    = "gates/tenant_tier.rego"
    data    = ["gates/tiers.yaml"]
    timeout = "250ms"
  }

  urgency "emergency" {
    bake_scale = 0.1
  }
}
