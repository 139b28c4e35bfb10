# Staging must contain the bad push and still protect within half an hour.
scenario "../scenarios/bad-push/scenario.hcl" {
  budget {
    failed      = "10%"
    rolled_back = true
  }
}
scenario "../scenarios/good-update" {
  budget {
    coverage_95 = "30m"
  }
}
