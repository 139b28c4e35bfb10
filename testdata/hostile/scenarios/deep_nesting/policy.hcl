rollout "content" {
  applies_to = ["content"]
  ring "everyone" {
    steps = [10, 100]
    bake  = "10m"
  }
}
