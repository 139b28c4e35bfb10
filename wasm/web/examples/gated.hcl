# The recommended policy with a Rego gate: no step starts on a company
# holiday (gates/holidays.json lists 2024-07-19, the day of the
# scenario's release), except for an emergency. Gates need OPA, so the
# playground loads its second module (ringwise-gates.wasm) for this policy.
rollout "gated" {
  # The vendor's own hosts first, every OS build among them.
  ring "canary" {
    select { channel = "internal" }
    steps       = [100]
    bake        = "20m"
    cover       = ["os_build"]
    min_healthy = 0.95
  }

  # Customers who chose early updates.
  ring "early" {
    select { channel = "early" }
    steps = [10, 100]
    bake  = "15m"
    cover = ["os_build"]
  }

  # Everyone else, in growing steps; no tenant takes more than half of its
  # hosts until the last step has baked.
  ring "broad" {
    steps      = [0.01, 0.1, 1, 10, 50, 100]
    bake       = "20m"
    tenant_cap = 50
  }

  # Hosts that update and then stop reporting: the boot loop.
  trigger "went-quiet" {
    signal    = "silent"
    above     = 0.05
    min_count = 10
    action    = "rollback"
  }

  # Updated hosts crash more than those not yet updated.
  trigger "crash-vs-baseline" {
    signal    = "crash"
    against   = "baseline"
    ratio     = 5
    min_count = 20
    action    = "rollback"
  }

  # A slow rise in crashes, valid however often it is checked.
  trigger "crash-sprt" {
    signal = "crash"
    test   = "sprt"
    rate   = 0.0001
    ratio  = 3
    alpha  = 0.001
    action = "halt"
  }

  # No step starts on a company holiday (gates/holidays.json).
  gate "freeze" {
    rego = "gates/freeze.rego"
    data = ["gates/holidays.json"]
  }

  urgency "emergency" {
    bake_scale = 0.5
  }
}
