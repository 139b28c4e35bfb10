# What every change to policies/ must still do.
scenario "../scenarios/bad-push/scenario.hcl" {
  budget {
    failed       = "10%"
    halted_after = "30m"
    rolled_back  = true
  }
}
scenario "../scenarios/good-update" {
  budget {
    coverage_95 = "2h"
    rolled_back = false
  }
}
