telemetry "prometheus" {
  address  = "http://127.0.0.1:9090"
  updated  = "update=\"${update_id}\""
  baseline = "update=\"none\""
  hosts    = "sum(fleet_hosts{${cohort}})"
  healthy  = "sum(fleet_hosts_healthy{${cohort}})"
}
