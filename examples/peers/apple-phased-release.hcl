# Apple App Store phased release for automatic updates: over 7 days, to
# 1%, 2%, 5%, 10%, 20%, 50% and 100% of users on days 1 to 7. A release
# may be paused for up to 30 days in all; Apple does not say what happens
# then, so ringwise halts it at that point and a person decides.
rollout "apple-phased-release" {
  pause_limit = "30d"

  ring "users" {
    steps = [1, 2, 5, 10, 20, 50, 100]
    bake  = "1d"
  }
}
