# Replay of 2 July 2019: a WAF managed rule with a catastrophically
# backtracking regular expression went to every Cloudflare edge server
# within seconds (Quicksilver) at 13:42 UTC. HTTP/HTTPS processing hit 100%
# CPU everywhere; at 14:07 a global kill of the WAF managed rules took
# effect and by 14:09 traffic and CPU were back to normal: 27 minutes. See
# README.md for the source and the assumptions.
scenario "cloudflare-2019" {
  description = "WAF rule pushed globally in seconds, CPU exhaustion on every edge server, killed by hand"
  policy      = "all-at-once.hcl"
  horizon     = "2h"
  resolution  = "5s"
  sample      = "30s"

  fleet {
    # Cloudflare's own dogfooding location: staff traffic.
    cohort "dog" {
      hosts    = 60
      labels   = { role = "edge", region = "dog", os_build = "edge-2019", channel = "internal" }
      check_in = "10s"
      jitter   = "5s"
    }
    # Free-plan traffic, the next canary.
    cohort "pig" {
      hosts    = 240
      labels   = { role = "edge", region = "pig", os_build = "edge-2019", channel = "early" }
      check_in = "10s"
      jitter   = "5s"
    }
    cohort "north-america" {
      hosts    = 5600
      labels   = { role = "edge", region = "north-america", os_build = "edge-2019", channel = "stable" }
      check_in = "10s"
      jitter   = "5s"
    }
    cohort "europe" {
      hosts    = 5200
      labels   = { role = "edge", region = "europe", os_build = "edge-2019", channel = "stable" }
      check_in = "10s"
      jitter   = "5s"
    }
    cohort "asia-pacific" {
      hosts    = 4400
      labels   = { role = "edge", region = "asia-pacific", os_build = "edge-2019", channel = "stable" }
      check_in = "10s"
      jitter   = "5s"
    }
    cohort "latin-america" {
      hosts    = 1500
      labels   = { role = "edge", region = "latin-america", os_build = "edge-2019", channel = "stable" }
      check_in = "10s"
      jitter   = "5s"
    }
    cohort "africa-middle-east" {
      hosts    = 1000
      labels   = { role = "edge", region = "africa-middle-east", os_build = "edge-2019", channel = "stable" }
      check_in = "10s"
      jitter   = "5s"
    }
  }

  update {
    id      = "waf-rule-xss-2019-07-02"
    kind    = "config"
    release = "2019-07-02T13:42:00Z"
  }

  # The regular expression pegs the CPU: the server stops serving. Once the
  # rule is gone, CPU drains and the server is back within a few minutes.
  fault "regex-backtracking" {
    probability = 1
    latency     = "uniform(5s, 30s)"
    mode        = "crash"
    signal      = "crash"
    restart     = "uniform(1m, 2m30s)"
  }

  telemetry {
    interval     = "30s"
    delay        = "10s"
    loss         = 0.01
    silent_after = "1m"
    rates        = { crash = 0.0001 }
  }

  people {
    # Alerts fire within minutes; the global kill takes effect at 14:07.
    notice = "25m"
    action = "rollback"
  }
}
