# The policy ringwise recommends to a vendor shipping content (or sensor
# and configuration) updates to millions of endpoints. Designed with the
# simulator (ringwise simulate -policy examples/policies/recommended.hcl
# SCENARIO); what it reaches, seed 1, full scale:
#
#   examples/crowdstrike-2024  400 hosts crash (the vendor's canary), 0.0047%
#                              of the 8.6 million the real push crashed (aim:
#                              at most 0.01%); rolled back at +20m.
#   examples/good-update       95% of 9.86 million hosts protected at +3h00m
#                              (aim: within 4h); 50% at +2h51m, 99% at +7h24m
#                              (all at once: +6m, +11m, +4h59m).
#   examples/cloudflare-2019   60 of 18,000 servers down for 3 minutes, no
#                              outage (all at once: 27 minutes).
#   False alarms on a good update: none in 40 full-scale seeds, none in 200
#   seeds at 0.2% scale (simulate.TestFalseTriggers).
#
# It sets no applies_to, so in this directory it governs the update kinds
# that content.hcl and sensor.hcl do not; load it alone (ringwise simulate
# -policy examples/policies/recommended.hcl) to use it for every kind.
rollout "recommended" {
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

  urgency "emergency" {
    bake_scale = 0.5
  }
}
