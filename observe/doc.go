// Package observe builds a rollout.Observation from Prometheus: what the
// controller call of package rollout reads about the fleet's health.
//
// A Config, written in HCL next to the policy, names the Prometheus server
// and the PromQL queries that count each thing the engine needs, for the
// hosts updated by the rollout and for the baseline (hosts not updated):
//
//	telemetry "prometheus" {
//	  address = "http://127.0.0.1:9090"
//	  timeout = "10s"    # per query; default 10s
//	  max_age = "2m"     # freshest data older than this is missing; default 2m
//
//	  # When the data is from, in Unix seconds: the oldest of the latest
//	  # successful scrapes. The observation is taken at that instant.
//	  # Optional; without it the observation is taken at the call's time.
//	  fresh = "min(timestamp(up{job=\"fleet\"} == 1))"
//
//	  # Label matchers that select each cohort; ${cohort} in a query is one of them.
//	  updated  = "update=\"${update}\""
//	  baseline = "update!=\"${update}\""
//
//	  hosts   = "sum(fleet_hosts{${cohort}})"           # required
//	  healthy = "sum(fleet_hosts_healthy{${cohort}})"   # required for the updated cohort's bakes
//	  silent  = "sum(fleet_hosts_silent{${cohort}})"    # optional
//	  strata  = "sum by (${by}) (fleet_hosts_healthy{${cohort}})"  # optional: rings with cover
//
//	  signal "crash" {
//	    count = "sum(increase(fleet_crashes_total{${cohort}}[${since}]))"
//	    hours = "sum(increase(fleet_host_seconds_total{${cohort}}[${since}])) / 3600"
//	  }
//	}
//
// Every query is an HCL string template; the variables are
//
//	${update}   the update's ID            ${kind}    the update's kind
//	${rollout}  the rollout's ID           ${cohort}  the cohort's matchers (updated or baseline)
//	${since}    the range since the rollout started, e.g. "5400s" (at least 1s)
//	${by}       the labels of the current ring's cover, comma-separated (strata only)
//
// Write $${ for a literal "${". A reference to any other variable is an
// error at FILE:LINE:COL when the file is loaded.
//
// # What the engine gets
//
// Counts are cumulative since the rollout started, as rollout.Observation
// says: write signal counts as increase(...[${since}]) over counters and
// host-hours as the increase of a seconds counter divided by 3600 (used by
// sequential triggers). Hosts, healthy and silent are counts now.
//
// Missing data is not health. A signal whose query returns no sample is
// left out of the cohort's Signals, and the engine holds on any trigger
// that reads it ("signal ... is missing"), except for a cohort with no
// hosts, whose signals are zero. A counter that appeared with the first
// hosts to update has one sample at first, too few for increase(): the
// rollout holds for a scrape interval, which is the point. A query that fails, data older than
// max_age, or a hosts query that fails make Observe return an error: the
// caller has no observation and must not advance (package server holds the
// rollout and says why). NaN or negative results are passed through and
// the engine holds on them.
//
// Strata: the strata query is evaluated with ${by} set to the current
// ring's cover labels (os_build, arch, tenant, ... as the policy says), and
// each result series is keyed by Target.Stratum (the key
// rollout.Fleet.Stratum gives the hosts with those label values; NewStrata
// builds the map); series of unknown strata are dropped.
//
// A Prometheus is safe for concurrent use.
package observe
