# Stress variant of examples/good-update (issue 10): telemetry delay x3
# (1m -> 3m) and 30% of reports lost (was 1%): how much later a good
# update protects the fleet, and whether lost reports look like silence.
# Only the telemetry block differs.
scenario "good-update-telemetry" {
  description = "examples/good-update with telemetry delayed three times as long and 30% of reports lost"
  policy      = "../policies/all-at-once.hcl"
  horizon     = "72h"
  resolution  = "1m"
  sample      = "10m"

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
      online      = 0.95
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    # Everyone else, during the working day: servers nearly always on, most
    # workstations on.
    cohort "server-2019" {
      hosts       = 1500000
      labels      = { os = "windows", os_build = "17763", sensor = "7.11", channel = "stable", role = "server" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.995
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "server-2022" {
      hosts       = 1500000
      labels      = { os = "windows", os_build = "20348", sensor = "7.11", channel = "stable", role = "server" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.995
      session     = "24h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "win10" {
      hosts       = 4600000
      labels      = { os = "windows", os_build = "19045", sensor = "7.11", channel = "stable", role = "workstation" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.97
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
    cohort "win11" {
      hosts       = 2200000
      labels      = { os = "windows", os_build = "22631", sensor = "7.11", channel = "stable", role = "workstation" }
      tenants     = 24000
      tenant_skew = 1
      online      = 0.97
      session     = "8h"
      check_in    = "10m"
      jitter      = "2m"
    }
  }

  update {
    id      = "channel-file-292"
    kind    = "content"
    release = "2024-07-23T14:00:00Z"
  }

  telemetry {
    interval     = "5m"
    delay        = "3m"
    loss         = 0.3
    silent_after = "15m"
    rates        = { crash = 0.0001 }
  }
}
