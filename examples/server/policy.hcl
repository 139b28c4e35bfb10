# The walk-through's policy: the shape of examples/policies/content.hcl
# with bakes of seconds, so that a rollout runs in a minute.
rollout "content" {
  applies_to = ["content"]

  # The vendor's own hosts first, every OS build among them.
  ring "canary" {
    select { channel = "internal" }
    steps = [100]
    bake  = "10s"
    cover = ["os_build"]
  }

  ring "early" {
    select { channel = "early" }
    steps = [50, 100]
    bake  = "10s"
  }

  ring "broad" {
    steps      = [10, 50, 100]
    bake       = "10s"
    tenant_cap = 50
  }

  # Updated hosts crash three times as often as those not yet updated.
  trigger "crash-vs-baseline" {
    signal    = "crash"
    against   = "baseline"
    ratio     = 3
    min_count = 3
    action    = "rollback"
  }
}
