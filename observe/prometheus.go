package observe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/ringwise/ringwise/rollout"
)

// Target says what to observe: one rollout, at one time.
type Target struct {
	Rollout string
	Update  rollout.Update
	// Started is when the rollout started: counts are taken since then.
	Started time.Time
	// Now is the time of the call; the observation is taken at Now, or at
	// the time the fresh query gives when the configuration has one.
	Now time.Time
	// Cover lists the current ring's cover labels; nil skips the strata.
	Cover []string
	// Stratum maps a result series' cover label values to the stratum key
	// of rollout.Fleet.Stratum, "" when no host of the ring has them
	// (NewStrata builds one).
	Stratum func(labels map[string]string) string
}

// ErrStale is returned (wrapped) by Observe when the freshest data is older
// than the configuration's max_age.
var ErrStale = errors.New("observe: telemetry is stale")

// Prometheus observes a fleet through a Prometheus server's HTTP API.
// It is safe for concurrent use.
type Prometheus struct {
	cfg *Config
	api v1.API
}

// New returns a Prometheus for cfg. client may be nil (http.DefaultClient's
// transport is used).
func New(cfg *Config, client *http.Client) (*Prometheus, error) {
	if cfg == nil || cfg.Address == "" || cfg.Updated == nil || cfg.Baseline == nil || cfg.Hosts == nil || cfg.Healthy == nil {
		return nil, errors.New("observe: incomplete configuration (load it with ParseConfig)")
	}
	conf := api.Config{Address: cfg.Address}
	if client != nil {
		conf.Client = client
	}
	c, err := api.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	return &Prometheus{cfg: cfg, api: v1.NewAPI(c)}, nil
}

// Config returns the configuration p was built with.
func (p *Prometheus) Config() *Config { return p.cfg }

// Observe queries Prometheus and returns the observation of t. Approvals
// are left empty: the caller adds them. See the package documentation for
// how missing and stale data are reported.
func (p *Prometheus) Observe(ctx context.Context, t Target) (rollout.Observation, error) {
	at := t.Now
	if at.IsZero() {
		return rollout.Observation{}, errors.New("observe: target has no time")
	}
	vars := Vars{Update: t.Update.ID, Kind: t.Update.Kind, Rollout: t.Rollout}
	if p.cfg.Fresh != nil {
		q, err := p.cfg.Fresh.Expand(vars)
		if err != nil {
			return rollout.Observation{}, err
		}
		v, ok, err := p.scalar(ctx, p.cfg.Fresh, q, t.Now)
		if err != nil {
			return rollout.Observation{}, err
		}
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			return rollout.Observation{}, fmt.Errorf("%w: fresh query (%s) returned no time", ErrStale, pos(p.cfg.Fresh.Src))
		}
		at = time.Unix(0, int64(v*1e9)).UTC()
		if at.After(t.Now) {
			at = t.Now
		}
	}
	if age := t.Now.Sub(at); age > p.cfg.MaxAge {
		return rollout.Observation{}, fmt.Errorf("%w: newest data is from %s, %s old (max_age %s)", ErrStale, at.Format(time.RFC3339), age.Round(time.Second), p.cfg.MaxAge)
	}
	since := at.Sub(t.Started).Round(time.Second)
	vars.Since = fmt.Sprintf("%ds", max(int64(since/time.Second), 1))
	obs := rollout.Observation{At: at}
	for _, c := range []struct {
		tmpl    *Template
		cohort  *rollout.Cohort
		updated bool
	}{{p.cfg.Updated, &obs.Updated, true}, {p.cfg.Baseline, &obs.Baseline, false}} {
		m, err := c.tmpl.Expand(vars)
		if err != nil {
			return rollout.Observation{}, err
		}
		cv := vars
		cv.Cohort = m
		if err := p.cohort(ctx, cv, at, c.cohort, c.updated, t); err != nil {
			return rollout.Observation{}, err
		}
	}
	return obs, nil
}

func (p *Prometheus) cohort(ctx context.Context, vars Vars, at time.Time, c *rollout.Cohort, updated bool, t Target) error {
	count := func(tmpl *Template) (int, error) {
		if tmpl == nil {
			return 0, nil
		}
		q, err := tmpl.Expand(vars)
		if err != nil {
			return 0, err
		}
		v, ok, err := p.scalar(ctx, tmpl, q, at)
		if err != nil || !ok {
			return 0, err // no series: nobody
		}
		if math.IsNaN(v) || v < 0 || v > math.MaxInt32 {
			return 0, fmt.Errorf("observe: query at %s returned %g, not a count of hosts", pos(tmpl.Src), v)
		}
		return int(math.Round(v)), nil
	}
	var err error
	if c.Hosts, err = count(p.cfg.Hosts); err != nil {
		return err
	}
	if c.Healthy, err = count(p.cfg.Healthy); err != nil {
		return err
	}
	if c.Silent, err = count(p.cfg.Silent); err != nil {
		return err
	}
	c.Signals = make(map[string]rollout.Signal, len(p.cfg.Signals))
	for _, s := range p.cfg.Signals {
		q, err := s.Count.Expand(vars)
		if err != nil {
			return err
		}
		n, ok, err := p.scalar(ctx, s.Count, q, at)
		if err != nil {
			return err
		}
		if !ok {
			if c.Hosts > 0 {
				continue // missing, not zero: the engine holds on it
			}
			n = 0
		}
		sig := rollout.Signal{Count: n}
		if s.Hours != nil {
			q, err := s.Hours.Expand(vars)
			if err != nil {
				return err
			}
			h, ok, err := p.scalar(ctx, s.Hours, q, at)
			if err != nil {
				return err
			}
			if !ok && c.Hosts > 0 {
				continue // exposure unknown: the signal is missing
			}
			sig.Hours = h
		}
		c.Signals[s.Name] = sig
	}
	if updated && p.cfg.Strata != nil && len(t.Cover) > 0 && t.Stratum != nil {
		sv := vars
		sv.By = strings.Join(t.Cover, ", ")
		q, err := p.cfg.Strata.Expand(sv)
		if err != nil {
			return err
		}
		vec, err := p.vector(ctx, p.cfg.Strata, q, at)
		if err != nil {
			return err
		}
		for _, s := range vec {
			labels := make(map[string]string, len(t.Cover))
			for _, k := range t.Cover {
				labels[k] = string(s.Metric[model.LabelName(k)])
			}
			key := t.Stratum(labels)
			if key == "" || math.IsNaN(float64(s.Value)) || s.Value < 1 {
				continue
			}
			if c.Strata == nil {
				c.Strata = map[string]int{}
			}
			c.Strata[key] += int(math.Round(float64(s.Value)))
		}
	}
	return nil
}

// scalar evaluates q at at and returns its single value; ok is false when
// the result is empty. A result of more than one series is an error: the
// query must aggregate.
func (p *Prometheus) scalar(ctx context.Context, tmpl *Template, q string, at time.Time) (float64, bool, error) {
	v, err := p.query(ctx, tmpl, q, at)
	if err != nil {
		return 0, false, err
	}
	switch v := v.(type) {
	case *model.Scalar:
		return float64(v.Value), true, nil
	case model.Vector:
		switch len(v) {
		case 0:
			return 0, false, nil
		case 1:
			return float64(v[0].Value), true, nil
		}
		return 0, false, fmt.Errorf("observe: query at %s returned %d series, want one (aggregate it, e.g. with sum): %s", pos(tmpl.Src), len(v), q)
	}
	return 0, false, fmt.Errorf("observe: query at %s returned a %s, want a scalar or an instant vector: %s", pos(tmpl.Src), v.Type(), q)
}

func (p *Prometheus) vector(ctx context.Context, tmpl *Template, q string, at time.Time) (model.Vector, error) {
	v, err := p.query(ctx, tmpl, q, at)
	if err != nil {
		return nil, err
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("observe: query at %s returned a %s, want an instant vector: %s", pos(tmpl.Src), v.Type(), q)
	}
	return vec, nil
}

func (p *Prometheus) query(ctx context.Context, tmpl *Template, q string, at time.Time) (model.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	v, _, _, err := p.api.Query(ctx, q, at, v1.WithTimeout(p.cfg.Timeout))
	if err != nil {
		return nil, fmt.Errorf("observe: query at %s failed: %w: %s", pos(tmpl.Src), err, q)
	}
	return v, nil
}

// NewStrata returns the cover labels of ring and a Target.Stratum for
// it: a map from cover label values to the stratum key
// (rollout.Fleet.Stratum) of the ring's hosts that have them. hosts must be
// the inventory the fleet was built from, in the same order.
func NewStrata(f *rollout.Fleet, hosts []rollout.Host, ring int) (cover []string, stratum func(map[string]string) string) {
	if ring < 0 || ring >= len(f.Plan().Rings) {
		return nil, nil
	}
	cover = f.Plan().Rings[ring].Cover
	if len(cover) == 0 {
		return nil, nil
	}
	keys := map[string]string{}
	for i := range hosts {
		if f.RingOf(i) != ring {
			continue
		}
		if k := f.Stratum(i); k != "" {
			keys[tuple(cover, hosts[i].Labels)] = k
		}
	}
	return cover, func(labels map[string]string) string { return keys[tuple(cover, labels)] }
}

func tuple(cover []string, labels map[string]string) string {
	var b strings.Builder
	for _, k := range cover {
		b.WriteString(labels[k])
		b.WriteByte(0)
	}
	return b.String()
}

// pos renders a range as FILE:LINE:COL.
func pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
