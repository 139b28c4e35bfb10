# Where ringwise serve reads the fleet's health: the Prometheus that
# scrapes fleetsim (see README.md). The queries are documented in
# `go doc github.com/ringwise/ringwise/observe`.
telemetry "prometheus" {
  address = "http://127.0.0.1:9090"
  max_age = "30s"
  # The observation is as fresh as the oldest of the latest scrapes.
  fresh = "min(timestamp(fleet_hosts))"

  updated  = "update=\"${update}\""
  baseline = "update=\"none\""

  hosts   = "sum(fleet_hosts{${cohort}})"
  healthy = "sum(fleet_hosts_healthy{${cohort}})"
  strata  = "sum by (${by}) (fleet_hosts_healthy{${cohort}})"

  signal "crash" {
    count = "sum(increase(fleet_crashes_total{${cohort}}[${since}]))"
    hours = "sum(increase(fleet_host_seconds_total{${cohort}}[${since}])) / 3600"
  }
}
