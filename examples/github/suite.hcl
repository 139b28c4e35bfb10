# The review suite of examples/policies/recommended.hcl: the incidents it
# must contain and the good update it must not slow down too much. Paths
# are relative to this file. `ringwise review -suite examples/github/suite.hcl`
# judges head against these budgets whatever base did.

# CrowdStrike, 19 July 2024: a content update that crashes every Windows
# host that takes it.
scenario "../crowdstrike-2024/scenario.hcl" {
  budget {
    failed       = "0.01%"   # of the scenario's hosts
    halted_after = "30m"
    rolled_back  = true      # every run rolls the bad update back
  }
}

# Cloudflare, 2 July 2019: a rule that pins every CPU.
scenario "../cloudflare-2019/scenario.hcl" {
  budget {
    failed = 100
    outage = "5m"            # at most 5 minutes with 10% of the fleet down
  }
}

# A good content update: protection must still come within hours.
scenario "../good-update/scenario.hcl" {
  budget {
    coverage_95 = "6h"
    coverage_99 = "12h"
    rolled_back = false      # no run rolls a good update back
  }
}
