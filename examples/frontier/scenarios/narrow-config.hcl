# Stress variant of examples/crowdstrike-2024 (issue 10): the fault hits
# only hosts with one non-default configuration, filter = "legacy", which
# no host of a canary ring has (neither the vendor's internal hosts nor the
# early-update customers): 0.5% of every stable cohort, 49,000 of the
# 9,860,400 hosts (0.497%). The fleet, update, boot loop, telemetry and
# people are the replay's; each stable cohort is split 99.5 / 0.5 (tenants
# too), every host gains the filter label, and the fault selects legacy.
scenario "narrow-config" {
  description = "examples/crowdstrike-2024 with the fault confined to the 0.5% of customer hosts with filter = legacy, none of them in a canary"
  policy      = "../policies/all-at-once.hcl"
  horizon     = "14d"
  resolution  = "1m"
  sample      = "30m"

  fleet {
    # The vendor's own Windows hosts (the canary of a staged policy).
    cohort "internal-server-2019" {
      hosts    = 100
      labels   = { os = "windows", os_build = "17763", sensor = "7.11", filter = "standard", channel = "internal", role = "server" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-server-2022" {
      hosts    = 100
      labels   = { os = "windows", os_build = "20348", sensor = "7.11", filter = "standard", channel = "internal", role = "server" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-win10" {
      hosts    = 100
      labels   = { os = "windows", os_build = "19045", sensor = "7.11", filter = "standard", channel = "internal", role = "workstation" }
      check_in = "10m"
      jitter   = "2m"
    }
    cohort "internal-win11" {
      hosts    = 100
      labels   = { os = "windows", os_build = "22631", sensor = "7.11", filter = "standard", channel = "internal", role = "workstation" }
      check_in = "10m"
      jitter   = "2m"
    }
    # Customers who take updates early.
    cohort "early-workstation" {
      hosts       = 60000
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", filter = "standard", channel = "early", role = "workstation" }
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
      hosts       = 1492500
      labels      = { os = "windows", os_build = "17763", sensor = "7.11", filter = "standard", channel = "stable", role = "server" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # The same hosts with the legacy filter option: 0.5% of the cohort.
    cohort "server-2019-legacy" {
      hosts       = 7500
      labels      = { os = "windows", os_build = "17763", sensor = "7.11", filter = "legacy", channel = "stable", role = "server" }
      tenants     = 120
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "server-2022" {
      hosts       = 1492500
      labels      = { os = "windows", os_build = "20348", sensor = "7.11", filter = "standard", channel = "stable", role = "server" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # The same hosts with the legacy filter option: 0.5% of the cohort.
    cohort "server-2022-legacy" {
      hosts       = 7500
      labels      = { os = "windows", os_build = "20348", sensor = "7.11", filter = "legacy", channel = "stable", role = "server" }
      tenants     = 120
      tenant_skew = 1
      online      = 0.98
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "win10" {
      hosts       = 4577000
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", filter = "standard", channel = "stable", role = "workstation" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.80
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # The same hosts with the legacy filter option: 0.5% of the cohort.
    cohort "win10-legacy" {
      hosts       = 23000
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", filter = "legacy", channel = "stable", role = "workstation" }
      tenants     = 120
      tenant_skew = 1
      online      = 0.80
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "win11" {
      hosts       = 2189000
      labels      = { os = "windows", os_build = "22631", sensor = "7.11", filter = "standard", channel = "stable", role = "workstation" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.80
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # The same hosts with the legacy filter option: 0.5% of the cohort.
    cohort "win11-legacy" {
      hosts       = 11000
      labels      = { os = "windows", os_build = "22631", sensor = "7.11", filter = "legacy", channel = "stable", role = "workstation" }
      tenants     = 120
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
    select { filter = "legacy" }
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
