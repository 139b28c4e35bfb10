# RINGWISE-CANARY-FILE-8d1f: a file outside every reviewed scenario directory
rollout "content" {
  ring "x" {
    steps = [RINGWISE-CANARY-FILE-8d1f]
  }
}
