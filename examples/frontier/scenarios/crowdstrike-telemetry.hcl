# Stress variant of examples/crowdstrike-2024 (issue 10): telemetry delay
# x3 (1m -> 3m) and 30% of reports lost (was 1%). Only the telemetry block
# differs from the replay.
scenario "crowdstrike-telemetry" {
  description = "examples/crowdstrike-2024 with telemetry delayed three times as long and 30% of reports lost"
  policy      = "../policies/all-at-once.hcl"
  horizon     = "14d"
  resolution  = "1m"
  sample      = "30m"

  fleet {
    # The vendor's own Windows hosts (the canary of a staged policy).
    cohort "internal-server-2019" {
      hosts    = 100
      labels   = { os = "windows", os_build = "17763", sensor = "7.11", channel = "internal", role = "server" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-server-2022" {
      hosts    = 100
      labels   = { os = "windows", os_build = "20348", sensor = "7.11", channel = "internal", role = "server" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-win10" {
      hosts    = 100
      labels   = { os = "windows", os_build = "19045", sensor = "7.11", channel = "internal", role = "workstation" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-win11" {
      hosts    = 100
      labels   = { os = "windows", os_build = "22631", sensor = "7.11", channel = "internal", role = "workstation" }
      check_in = "10m"
      jitter   = "2m"
    }
    # Customers who take updates early.
    cohort "early-workstation" {
      hosts       = 60000
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", channel = "early", role = "workstation" }
      tenants     = 300
      tenant_skew = 1
      online      = 0.85
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # Everyone else: servers are nearly always on; at 04:09 UTC it is night
    # in the Americas and many workstations are off.
    cohort "server-2019" {
      hosts       = 1500000
      labels      = { os = "windows", os_build = "17763", sensor = "7.11", channel = "stable", role = "server" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "server-2022" {
      hosts       = 1500000
      labels      = { os = "windows", os_build = "20348", sensor = "7.11", channel = "stable", role = "server" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "win10" {
      hosts       = 4600000
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", channel = "stable", role = "workstation" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.80
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "win11" {
      hosts       = 2200000
      labels      = { os = "windows", os_build = "22631", sensor = "7.11", channel = "stable", role = "workstation" }
      tenants     = 24000
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

  # The sensor reads the file and crashes the kernel; on every boot again.
  fault "channel-291-crash" {
    probability        = 1
    latency            = "uniform(10s, 2m)"
    mode               = "boot_loop"
    reboot_every       = "15m"
    recover_per_reboot = 0.0002
  }

  telemetry {
    interval     = "5m"
    delay        = "3m"
    loss         = 0.3
    silent_after = "15m"
    rates        = { crash = 0.0001 }
  }

  people {
    # 04:09 + 78 minutes: the file is reverted at 05:27.
    notice = "77m"
    action = "rollback"
    # Hands-on repair (safe mode, delete the file, BitLocker keys): a few
    # hours to organise, days at full strength, then a long tail of hosts
    # that are hard to reach.
    repair {
      from     = "4h"
      per_hour = 100000
    }
    repair {
      from     = "24h"
      per_hour = 90000
    }
    repair {
      from     = "72h"
      per_hour = 23500
    }
    repair {
      from     = "144h"
      per_hour = 900
    }
  }
}
