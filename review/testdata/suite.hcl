# The test suite: budgets the staged policy meets on the bad push and
# misses on the good update.
scenario "scenarios/bad-push/scenario.hcl" {
  budget {
    failed       = 50
    halted_after = "15m"
    rolled_back  = true
  }
  budget {
    quantile        = "max"
    host_hours_down = 100
    failed_peak     = "10%"
  }
}
scenario "scenarios/good-update" {
  budget {
    coverage_95 = "30m"
    rolled_back = false
  }
}
