# Tenants apply to every rollout in this directory.

# A hospital takes updates two days after general availability, and only in
# its weekend night window (which crosses midnight, London time).
tenant "hospital" {
  select {
    tenant = "st-marys"
  }
  defer = "48h"

  maintenance {
    days  = ["sat", "sun"]
    start = "23:00"
    hours = 4
    zone  = "Europe/London"
  }
}

# A trading firm manages its own configuration.
tenant "trading" {
  select {
    tenant = ["northwind", "northwind-dr"]
  }
  opt_out = ["config"]
}
