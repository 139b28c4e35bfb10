# CrowdStrike, 19 July 2024, at 1/500 scale (about 20,000 hosts) so that it
# runs in a second in the browser: a content update that crashes every
# Windows host into a boot loop. The full-scale replay, with the public
# figures behind every number, is examples/crowdstrike-2024 in the
# repository.
scenario "crowdstrike-2024-small" {
  description = "Channel file 291 at 1/500 scale: boot loop on every Windows sensor 7.11+"
  policy      = "recommended.hcl" # the CLI reads it; the playground uses the policy editor
  horizon     = "14d"
  resolution  = "1m"
  sample      = "30m"

  fleet {
    # The vendor's own hosts: the canary of a staged policy.
    cohort "internal-server" {
      hosts    = 40
      labels   = { os = "windows", os_build = "20348", sensor = "7.11", channel = "internal", role = "server" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-win11" {
      hosts    = 40
      labels   = { os = "windows", os_build = "22631", sensor = "7.11", channel = "internal", role = "workstation" }
      check_in = "10m"
      jitter   = "2m"
    }
    # Customers who take updates early.
    cohort "early-workstation" {
      hosts       = 120
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", channel = "early", role = "workstation" }
      tenants     = 6
      tenant_skew = 1
      online      = 0.85
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # Everyone else.
    cohort "server" {
      hosts       = 6000
      labels      = { os = "windows", os_build = "20348", sensor = "7.11", channel = "stable", role = "server" }
      tenants     = 96
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "workstation" {
      hosts       = 13600
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", channel = "stable", role = "workstation" }
      tenants     = 96
      tenant_skew = 1
      online      = 0.80
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
  }

  update {
    id      = "channel-file-291"
    kind    = "content"
    release = "2024-07-19T04:09:00Z"
  }

  # The sensor reads the file and crashes the kernel, on every boot again.
  fault "channel-291-crash" {
    probability        = 1
    latency            = "uniform(10s, 2m)"
    mode               = "boot_loop"
    reboot_every       = "15m"
    recover_per_reboot = 0.0002
  }

  telemetry {
    interval     = "5m"
    delay        = "1m"
    loss         = 0.01
    silent_after = "15m"
    rates        = { crash = 0.0001 }
  }

  people {
    # Someone stops the push 77 minutes after the first failure.
    notice = "77m"
    action = "rollback"
    # Hands-on repair, scaled down with the fleet.
    repair {
      from     = "4h"
      per_hour = 200
    }
    repair {
      from     = "24h"
      per_hour = 180
    }
    repair {
      from     = "72h"
      per_hour = 47
    }
  }
}
