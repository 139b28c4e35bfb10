# Apple App Store phased release for automatic updates: over 7 days, to
# 1%, 2%, 5%, 10%, 20%, 50% and 100% of users on days 1 to 7.
rollout "apple-phased-release" {
  ring "users" {
    steps = [1, 2, 5, 10, 20, 50, 100]
    bake  = "1d"
  }
}
