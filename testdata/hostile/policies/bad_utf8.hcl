rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = "1hÿþ"
  }
}
