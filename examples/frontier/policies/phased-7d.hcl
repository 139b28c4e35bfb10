# Apple App Store phased release, the schedule of
# examples/peers/apple-phased-release.hcl: 1, 2, 5, 10, 20, 50, 100% on
# days 1 to 7. No trigger; the smallest health gate the language accepts
# (see canary-exponential.hcl).
rollout "phased-7d" {
  ring "users" {
    steps       = [1, 2, 5, 10, 20, 50, 100]
    bake        = "1d"
    min_healthy = 0.01
  }
}
