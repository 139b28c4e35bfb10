package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ringwise/ringwise/rollout"
)

// metrics are the server's own Prometheus metrics.
type metrics struct {
	hostCalls       [4]prometheus.Counter // by verdict
	hostErrors      prometheus.Counter
	hostSeconds     prometheus.Histogram
	decisions       *prometheus.CounterVec
	decideSeconds   prometheus.Histogram
	conflicts       prometheus.Counter
	telemetryErrors prometheus.Counter
	apiRequests     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, s *Server) (*metrics, error) {
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ringwise_host_calls_total", Help: "Host calls answered, by verdict."}, []string{"verdict"})
	m := &metrics{
		hostErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "ringwise_host_call_errors_total", Help: "Host calls refused with a 4xx status."}),
		hostSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ringwise_host_call_seconds", Help: "Time to answer a host call, in the handler.",
			Buckets: []float64{1e-6, 5e-6, 2e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.02, 0.1}}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ringwise_decisions_total",
			Help: "Decisions persisted (audit log entries), by action and the rule of the decisive reason."}, []string{"action", "rule"}),
		decideSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ringwise_decide_seconds", Help: "Time of the controller call (Decide), gates included.",
			Buckets: prometheus.ExponentialBuckets(1e-5, 4, 10)}),
		conflicts:       prometheus.NewCounter(prometheus.CounterOpts{Name: "ringwise_cas_conflicts_total", Help: "Decisions dropped because another writer changed the rollout first."}),
		telemetryErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "ringwise_telemetry_errors_total", Help: "Failed observations; the rollout holds."}),
		apiRequests:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ringwise_api_requests_total", Help: "Rollout API requests, by operation and status code."}, []string{"op", "code"}),
	}
	for v := range m.hostCalls {
		m.hostCalls[v] = calls.WithLabelValues(rollout.Verdict(v).String())
	}
	phases := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringwise_rollouts", Help: "Rollouts in memory."}, func() float64 { return float64(len(*s.live.Load())) })
	for _, c := range []prometheus.Collector{calls, m.hostErrors, m.hostSeconds, m.decisions, m.decideSeconds, m.conflicts, m.telemetryErrors, m.apiRequests, phases} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
