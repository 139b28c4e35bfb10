rollout "content" {
  ring "canary" {
    steps = [100]
    bake  = file("/etc/passwd")
  }
}
