package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/rollout"
)

// Plans picks the plan of a rollout; policy.Policy implements it.
type Plans interface {
	Select(kind, name string) (*rollout.Plan, error)
}

// Observer reports a rollout's health; observe.Prometheus implements it.
type Observer interface {
	Observe(ctx context.Context, t observe.Target) (rollout.Observation, error)
}

// Config configures a Server. Plans, Hosts and Store are required.
type Config struct {
	Plans Plans
	// Hosts is the inventory every rollout's fleet is built from.
	Hosts []rollout.Host
	Store *Store
	// Observer reads telemetry. When nil, observations are pushed through
	// the API (PUT /v1/rollouts/{id}/observation) by a program that builds
	// them itself, and stored for every replica.
	Observer Observer
	// HostTokens may call the host endpoint about any host; HostTokenOf
	// (host ID -> token) gives a host a token of its own that may ask only
	// about that host; OperatorTokens (token -> operator name, recorded in
	// the audit log) may call everything.
	HostTokens     []string
	HostTokenOf    map[string]string
	OperatorTokens map[string]string
	Logger         *slog.Logger          // default slog.Default()
	Registry       prometheus.Registerer // default a new registry, served at /metrics
	Gatherer       prometheus.Gatherer   // with Registry: what /metrics serves
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Tick is how often the controller looks at its rollouts (default 1s);
	// ObserveEvery how often it reads telemetry (default 15s); Refresh how
	// often it reloads rollouts changed by other replicas (default 1s);
	// DecideEvery the longest time between two decisions (default 1m);
	// HostInterval how long a host is told to wait when the engine gives
	// no time (default 1m).
	Tick, ObserveEvery, Refresh, DecideEvery, HostInterval time.Duration
}

// Server is the reference update server and controller: it answers host
// calls from memory, runs the controller call for every rollout and keeps
// the state in a Store with compare-and-swap writes. Its methods are safe
// for concurrent use.
type Server struct {
	cfg  Config
	log  *slog.Logger
	m    *metrics
	mu   sync.Mutex // serialises changes to rollouts
	live atomic.Pointer[map[string]*live]
}

// live is a rollout in memory.
type live struct {
	id    string
	fleet *rollout.Fleet // nil when the plan is not in the policy any more
	err   string         // why fleet is nil
	snap  atomic.Pointer[Record]
	// dirty asks the controller to decide at its next tick (an operator
	// acted, or another replica wrote).
	dirty atomic.Bool

	// info is what the controller last knew, for status.
	info atomic.Pointer[stepInfo]

	mu         sync.Mutex // the controller's fields below
	next       time.Time
	lastDecide time.Time
	obs        rollout.Observation
	obsKey     string
	obsOK      bool
	obsFetched time.Time
	telemetry  string // last telemetry error, "" when fine
	coverRing  int
	cover      []string
	stratum    func(map[string]string) string
}

type stepInfo struct {
	next      time.Time
	telemetry string
}

// New builds a Server and loads the stored rollouts.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Plans == nil || cfg.Store == nil {
		return nil, errors.New("server: Config needs Plans and Store")
	}
	if len(cfg.OperatorTokens) == 0 {
		return nil, errors.New("server: no operator token: nobody could change a rollout")
	}
	if len(cfg.HostTokens) == 0 && len(cfg.HostTokenOf) == 0 {
		return nil, errors.New("server: no host token: no host could ask")
	}
	for _, t := range cfg.HostTokenOf {
		if len(t) < 16 {
			return nil, errors.New("server: host tokens must be at least 16 characters")
		}
	}
	for t := range cfg.OperatorTokens {
		if len(t) < 16 {
			return nil, errors.New("server: operator tokens must be at least 16 characters")
		}
	}
	for _, t := range cfg.HostTokens {
		if len(t) < 16 {
			return nil, errors.New("server: host tokens must be at least 16 characters")
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Tick, time.Second)
	def(&cfg.ObserveEvery, 15*time.Second)
	def(&cfg.Refresh, time.Second)
	def(&cfg.DecideEvery, time.Minute)
	def(&cfg.HostInterval, time.Minute)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		r := prometheus.NewRegistry()
		cfg.Registry, cfg.Gatherer = r, r
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	m, err := newMetrics(cfg.Registry, s)
	if err != nil {
		return nil, err
	}
	s.m = m
	empty := map[string]*live{}
	s.live.Store(&empty)
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// lookup returns the live rollout id.
func (s *Server) lookup(id string) *live { return (*s.live.Load())[id] }

// install puts rec in memory, building its fleet when it is new.
func (s *Server) install(rec Record) *live {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := *s.live.Load()
	if l := cur[rec.ID]; l != nil {
		if old := l.snap.Load(); old == nil || old.Version < rec.Version {
			l.snap.Store(&rec)
			l.dirty.Store(true)
		}
		return l
	}
	l := &live{id: rec.ID, coverRing: -1}
	l.dirty.Store(true)
	plan, err := s.cfg.Plans.Select(rec.State.Update.Kind, rec.PlanName)
	if err == nil {
		l.fleet, err = rollout.NewFleet(plan, rec.ID, s.cfg.Hosts)
	}
	if err != nil {
		l.err = err.Error()
		s.log.Error("rollout cannot run", "rollout", rec.ID, "err", err)
	}
	l.snap.Store(&rec)
	next := maps.Clone(cur)
	next[rec.ID] = l
	s.live.Store(&next)
	return l
}

// store replaces the record in memory after a successful write.
func (s *Server) stored(l *live, rec Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := l.snap.Load(); old == nil || old.Version < rec.Version {
		l.snap.Store(&rec)
	}
}

// Sync loads the rollouts that other replicas created or changed since
// the last time (Run does it every Refresh).
func (s *Server) Sync(ctx context.Context) error { return s.refresh(ctx) }

// refresh loads rollouts that are new or changed in the store.
func (s *Server) refresh(ctx context.Context) error {
	vers, err := s.cfg.Store.Versions(ctx)
	if err != nil {
		return err
	}
	for id, v := range vers {
		if l := s.lookup(id); l != nil && l.snap.Load().Version >= v {
			continue
		}
		rec, err := s.cfg.Store.Get(ctx, id)
		if err != nil {
			s.log.Error("load rollout", "rollout", id, "err", err)
			continue
		}
		s.install(rec)
	}
	return nil
}

// Run runs the controller until ctx is done: it reloads rollouts other
// replicas changed, reads telemetry, and calls Decide for every rollout
// whose decision is due (its Next passed, its telemetry changed, an
// operator acted, or DecideEvery passed), persisting every decision that
// changed the state with a compare-and-swap.
func (s *Server) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	var lastRefresh time.Time
	for {
		now := s.cfg.Now()
		if now.Sub(lastRefresh) >= s.cfg.Refresh {
			if err := s.refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("reload rollouts", "err", err)
			}
			lastRefresh = now
		}
		for _, l := range *s.live.Load() {
			if ctx.Err() != nil {
				return nil
			}
			s.Step(ctx, l.id)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step runs the controller once for rollout id: it decides when a
// decision is due and persists it with a compare-and-swap. It reports
// whether it stored a decision (false: nothing was due, nothing changed,
// telemetry was missing, or another writer won the compare-and-swap). Run
// calls it on every tick; tests call it directly.
func (s *Server) Step(ctx context.Context, id string) (stored bool) {
	l := s.lookup(id)
	if l == nil || l.fleet == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer func() { l.info.Store(&stepInfo{next: l.next, telemetry: l.telemetry}) }()
	now := s.cfg.Now()
	rec := *l.snap.Load()
	st := rec.State
	if st.Phase == rollout.RolledBack {
		return false
	}
	dirty := l.dirty.Swap(false)
	changed, err := s.observe(ctx, l, &rec, now, dirty)
	if err != nil {
		if dirty {
			l.dirty.Store(true)
		}
		msg := err.Error()
		if msg != l.telemetry {
			s.log.Warn("telemetry unavailable: holding", "rollout", id, "err", msg)
		}
		l.telemetry = msg
		s.m.telemetryErrors.Inc()
		return false // no observation, no decision: nothing advances
	}
	if l.telemetry != "" {
		s.log.Info("telemetry back", "rollout", id)
		l.telemetry = ""
	}
	due := dirty || changed || (!l.next.IsZero() && !now.Before(l.next)) || now.Sub(l.lastDecide) >= s.cfg.DecideEvery
	if !due {
		return false
	}
	obs := l.obs
	obs.Approvals = rec.Approvals
	start := time.Now()
	d := l.fleet.Decide(ctx, st, obs, now)
	s.m.decideSeconds.Observe(time.Since(start).Seconds())
	l.lastDecide, l.next = now, d.Next
	if len(d.State.Log) == len(st.Log) {
		return false // the same decision as before: nothing to persist
	}
	from := len(st.Log)
	rec.State = d.State
	nrec, err := s.cfg.Store.Update(ctx, rec, from)
	if errors.Is(err, ErrConflict) {
		// Another replica or an operator wrote first: its write stands,
		// ours is dropped; decide again on what it wrote.
		s.m.conflicts.Inc()
		s.log.Info("decision lost a compare-and-swap; reloading", "rollout", id, "version", rec.Version)
		l.dirty.Store(true)
		if fresh, err := s.cfg.Store.Get(ctx, id); err == nil {
			s.stored(l, fresh)
		}
		return false
	}
	if err != nil {
		s.log.Error("persist decision", "rollout", id, "err", err)
		l.dirty.Store(true)
		return false
	}
	s.stored(l, nrec)
	for _, e := range d.State.Log[from:] {
		rule := ""
		if n := len(e.Reasons); n > 0 {
			rule = e.Reasons[n-1].Rule
		}
		s.m.decisions.WithLabelValues(e.Action.String(), rule).Inc()
		attrs := []any{"rollout", id, "version", nrec.Version, "action", e.Action.String(), "ring", e.Ring, "step", e.Step + 1}
		for i, r := range e.Reasons {
			attrs = append(attrs, fmt.Sprintf("reason%d", i), r.String())
		}
		s.log.Info("decision", attrs...)
	}
	return true
}

// observe refreshes l.obs when due. It reports whether the observation's
// counts changed.
func (s *Server) observe(ctx context.Context, l *live, rec *Record, now time.Time, dirty bool) (bool, error) {
	st := &rec.State
	if s.cfg.Observer == nil {
		obs, ok, err := s.cfg.Store.Observation(ctx, l.id)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, errors.New("no observation pushed yet (PUT /v1/rollouts/{id}/observation)")
		}
		return l.setObs(obs), nil
	}
	if l.obsOK && !dirty && now.Sub(l.obsFetched) < s.cfg.ObserveEvery {
		return false, nil
	}
	if l.coverRing != st.Ring {
		l.cover, l.stratum = observe.NewStrata(l.fleet, s.cfg.Hosts, st.Ring)
		l.coverRing = st.Ring
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	obs, err := s.cfg.Observer.Observe(octx, observe.Target{
		Rollout: l.id, Update: st.Update, Started: st.Started, Now: now,
		Cover: l.cover, Stratum: l.stratum,
	})
	l.obsFetched = now
	if err != nil {
		l.obsOK = false
		return false, err
	}
	return l.setObs(obs), nil
}

func (l *live) setObs(obs rollout.Observation) bool {
	key, _ := json.Marshal([]any{obs.Updated, obs.Baseline})
	changed := !l.obsOK || string(key) != l.obsKey
	l.obs, l.obsKey, l.obsOK = obs, string(key), true
	return changed
}
