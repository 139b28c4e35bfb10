rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = env.HOME
  }
}
