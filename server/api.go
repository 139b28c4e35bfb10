package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ringwise/ringwise/rollout"
)

// Status is a rollout as the API shows it (GET /v1/rollouts/{id}; the
// list leaves out Log).
type Status struct {
	ID         string             `json:"id"`
	Version    int64              `json:"version"`
	Plan       string             `json:"plan"`
	PlanDigest string             `json:"plan_digest"`
	Update     rollout.Update     `json:"update"`
	Phase      rollout.Phase      `json:"phase"`
	Ring       string             `json:"ring"`
	Step       int                `json:"step"` // 1-based; 0 before the first step
	Percent    float64            `json:"percent"`
	Exposed    int                `json:"exposed_hosts"` // hosts of the ring the step exposes
	Paused     bool               `json:"paused,omitempty"`
	Pause      string             `json:"pause_reason,omitempty"`
	Stopped    string             `json:"stopped,omitempty"`
	Started    time.Time          `json:"started"`
	StepStart  time.Time          `json:"step_started"`
	Next       time.Time          `json:"next,omitzero"`
	Telemetry  string             `json:"telemetry_error,omitempty"`
	Error      string             `json:"error,omitempty"` // why the rollout cannot run
	Approvals  []rollout.Approval `json:"approvals,omitempty"`
	Log        []rollout.Entry    `json:"log,omitempty"`
}

// StartRequest is the body of POST /v1/rollouts.
type StartRequest struct {
	ID     string         `json:"id"`
	Update rollout.Update `json:"update"`
	// Rollout names the rollout block of the policy; empty picks it by the
	// update's kind (policy.Policy.Select).
	Rollout string `json:"rollout,omitempty"`
}

// ActionRequest is the body of pause, resume, approve and stop.
type ActionRequest struct {
	Reason   string `json:"reason,omitempty"`
	Ring     string `json:"ring,omitempty"`     // approve: the ring to enter
	Rollback bool   `json:"rollback,omitempty"` // stop: roll back instead of halting
}

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	Error string `json:"error"`
}

// Handler returns the HTTP API:
//
//	GET  /v1/rollouts/{id}/hosts/{host}    host call (host or operator token)
//	GET  /v1/rollouts                       list (operator)
//	POST /v1/rollouts                       start: StartRequest (operator)
//	GET  /v1/rollouts/{id}                  status with the audit log (operator)
//	POST /v1/rollouts/{id}/pause|resume|approve|stop|adopt   ActionRequest (operator)
//	PUT  /v1/rollouts/{id}/observation      push a rollout.Observation (operator)
//	GET  /metrics                           Prometheus metrics
//	GET  /healthz                           liveness
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/rollouts/{id}/hosts/{host}", func(w http.ResponseWriter, r *http.Request) {
		s.hostCallIDs(w, r, r.PathValue("id"), r.PathValue("host"))
	})
	mux.HandleFunc("GET /v1/rollouts", s.op("list", s.list))
	mux.HandleFunc("POST /v1/rollouts", s.op("start", s.start))
	mux.HandleFunc("GET /v1/rollouts/{id}", s.op("status", s.status))
	for _, a := range []string{"pause", "resume", "approve", "stop", "adopt"} {
		mux.HandleFunc("POST /v1/rollouts/{id}/"+a, s.op(a, s.action(a)))
	}
	mux.HandleFunc("PUT /v1/rollouts/{id}/observation", s.op("observation", s.pushObservation))
	g := s.cfg.Gatherer
	if g == nil {
		g = promNoGatherer{}
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	fast := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The host call, routed without the mux: its path matching
		// allocates on every request. Anything unusual goes to the mux.
		if r.Method == "GET" {
			if id, host, ok := hostPath(r.URL.EscapedPath()); ok {
				s.hostCallIDs(w, r, id, host)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "POST", "PUT"} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, pat := mux.Handler(r2); pat != "/" && pat != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: method not allowed (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", ")))
			return
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s %s (see GET /v1/rollouts)", r.Method, r.URL.Path))
	})
	return fast
}

// hostPath splits an escaped path /v1/rollouts/{id}/hosts/{host} into its
// unescaped segments. ok is false for any other path, and for segments
// that are empty, "." or ".." (the mux cleans those).
func hostPath(p string) (id, host string, ok bool) {
	const prefix = "/v1/rollouts/"
	if len(p) <= len(prefix) || p[:len(prefix)] != prefix {
		return "", "", false
	}
	rest := p[len(prefix):]
	i := strings.IndexByte(rest, '/')
	if i <= 0 {
		return "", "", false
	}
	id, rest = rest[:i], rest[i:]
	const mid = "/hosts/"
	if len(rest) <= len(mid) || rest[:len(mid)] != mid {
		return "", "", false
	}
	host = rest[len(mid):]
	if strings.IndexByte(host, '/') >= 0 || id == "." || id == ".." || host == "." || host == ".." {
		return "", "", false
	}
	if strings.IndexByte(id, '%') >= 0 || strings.IndexByte(host, '%') >= 0 {
		var err1, err2 error
		id, err1 = url.PathUnescape(id)
		host, err2 = url.PathUnescape(host)
		if err1 != nil || err2 != nil || id == "" || host == "" {
			return "", "", false
		}
	}
	return id, host, true
}

// apiError carries an HTTP status.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func errorf(code int, format string, args ...any) error {
	return &apiError{code, fmt.Sprintf(format, args...)}
}

// op wraps an operator endpoint: token, body limit, JSON answer or error.
func (s *Server) op(name string, h func(r *http.Request, by string) (any, int, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code := http.StatusOK
		defer func() { s.m.apiRequests.WithLabelValues(name, strconv.Itoa(code)).Inc() }()
		tok := bearer(r)
		by, ok := s.operator(tok)
		if !ok {
			code = http.StatusUnauthorized
			msg := "an operator token is required (Authorization: Bearer TOKEN)"
			if tok != "" && s.hostAuthorized(r) {
				code, msg = http.StatusForbidden, "a host token cannot "+name+" rollouts: use an operator token"
			}
			writeError(w, code, msg)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		v, c, err := h(r, by)
		if err != nil {
			code = http.StatusInternalServerError
			var ae *apiError
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &ae):
				code = ae.code
			case errors.As(err, &mbe):
				code = http.StatusRequestEntityTooLarge
			case errors.Is(err, ErrNotFound):
				code = http.StatusNotFound
			case errors.Is(err, ErrExists), errors.Is(err, ErrConflict):
				code = http.StatusConflict
			}
			if code == http.StatusInternalServerError {
				s.log.Error("api", "op", name, "err", err)
			}
			writeError(w, code, err.Error())
			return
		}
		code = c
		writeJSON(w, code, v)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, Error{Error: msg})
}

// decode reads a JSON body strictly: unknown fields and trailing data are
// errors that say what was wrong.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, "Content-Type %q: send application/json", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errorf(http.StatusBadRequest, "empty body: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "bad JSON body: %v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "bad JSON body: trailing data after the object")
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

func (s *Server) statusOf(l *live, withLog bool) Status {
	rec := l.snap.Load()
	st := rec.State
	out := Status{
		ID: rec.ID, Version: rec.Version, Plan: st.Plan, PlanDigest: st.PlanDigest, Update: st.Update, Phase: st.Phase,
		Ring: st.RingName, Step: st.Step + 1, Paused: st.Paused, Pause: st.PauseReason, Stopped: st.Stopped,
		Started: st.Started, StepStart: st.StepStarted, Approvals: rec.Approvals, Error: l.err,
	}
	if l.fleet != nil && st.Step >= 0 && st.Ring < len(l.fleet.Plan().Rings) {
		out.Percent, _ = l.fleet.Plan().StepPercent(st.Ring, st.Step)
		out.Exposed = l.fleet.Target(st.Ring, st.Step)
	}
	if in := l.info.Load(); in != nil {
		out.Next, out.Telemetry = in.next, in.telemetry
	}
	if withLog {
		out.Log = st.Log
	}
	return out
}

func (s *Server) list(r *http.Request, _ string) (any, int, error) {
	all := *s.live.Load()
	out := make([]Status, 0, len(all))
	for _, l := range all {
		out = append(out, s.statusOf(l, false))
	}
	sortStatus(out)
	return out, http.StatusOK, nil
}

func (s *Server) get(ctx context.Context, id string) (*live, error) {
	l := s.lookup(id)
	if l == nil {
		// Maybe another replica created it a moment ago.
		rec, err := s.cfg.Store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		l = s.install(rec)
	}
	return l, nil
}

func (s *Server) status(r *http.Request, _ string) (any, int, error) {
	l, err := s.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, 0, err
	}
	return s.statusOf(l, true), http.StatusOK, nil
}

func (s *Server) start(r *http.Request, by string) (any, int, error) {
	var req StartRequest
	if err := decode(r, &req); err != nil {
		return nil, 0, err
	}
	if !idPattern.MatchString(req.ID) {
		return nil, 0, errorf(http.StatusBadRequest, "id %q: use 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit", req.ID)
	}
	if req.Update.ID == "" || req.Update.Kind == "" {
		return nil, 0, errorf(http.StatusBadRequest, "update needs an id and a kind")
	}
	plan, err := s.cfg.Plans.Select(req.Update.Kind, req.Rollout)
	if err != nil {
		return nil, 0, errorf(http.StatusUnprocessableEntity, "%v", err)
	}
	f, err := rollout.NewFleet(plan, req.ID, s.cfg.Hosts)
	if err != nil {
		return nil, 0, errorf(http.StatusUnprocessableEntity, "%v", err)
	}
	st, err := f.Start(req.Update, s.cfg.Now())
	if err != nil {
		return nil, 0, errorf(http.StatusUnprocessableEntity, "%v", err)
	}
	rec, err := s.cfg.Store.Create(r.Context(), Record{ID: req.ID, State: st, PlanName: plan.Name})
	if err != nil {
		return nil, 0, err
	}
	s.log.Info("rollout started", "rollout", req.ID, "by", by, "update", req.Update.ID, "kind", req.Update.Kind, "plan", plan.Name)
	l := s.install(rec)
	return s.statusOf(l, true), http.StatusCreated, nil
}

// mutate applies fn to the stored rollout with compare-and-swap, retrying
// on conflicts with the controller or other replicas.
func (s *Server) mutate(ctx context.Context, id string, fn func(rec *Record, l *live) error) (*live, error) {
	l, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	for range 20 {
		rec, err := s.cfg.Store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		from := len(rec.State.Log)
		if err := fn(&rec, l); err != nil {
			return nil, err
		}
		nrec, err := s.cfg.Store.Update(ctx, rec, from)
		if errors.Is(err, ErrConflict) {
			s.m.conflicts.Inc()
			continue
		}
		if err != nil {
			return nil, err
		}
		s.stored(l, nrec)
		l.dirty.Store(true)
		return l, nil
	}
	return nil, fmt.Errorf("%w: gave up after 20 attempts", ErrConflict)
}

func (s *Server) action(name string) func(r *http.Request, by string) (any, int, error) {
	return func(r *http.Request, by string) (any, int, error) {
		var req ActionRequest
		if err := decode(r, &req); err != nil {
			return nil, 0, err
		}
		now := s.cfg.Now()
		id := r.PathValue("id")
		l, err := s.mutate(r.Context(), id, func(rec *Record, l *live) error {
			st := rec.State
			var err error
			switch name {
			case "pause":
				if st.Phase != rollout.Running {
					return errorf(http.StatusConflict, "cannot pause a rollout that is %s", st.Phase)
				}
				if req.Reason == "" {
					return errorf(http.StatusBadRequest, "pause needs a reason")
				}
				if rec.State, err = rollout.Pause(st, by+": "+req.Reason, now); err != nil {
					return errorf(http.StatusConflict, "%v", err)
				}
			case "resume":
				switch {
				case st.Paused && st.Phase == rollout.Running:
					if rec.State, err = rollout.Unpause(st, now); err != nil {
						return errorf(http.StatusConflict, "%v", err)
					}
				case st.Phase == rollout.Halted:
					obs, ok := l.lastObservation()
					if !ok {
						return errorf(http.StatusConflict, "no observation of the rollout yet: cannot resume without seeing its health")
					}
					if rec.State, err = rollout.Resume(st, obs, by, now); err != nil {
						return errorf(http.StatusConflict, "%v", err)
					}
					if st.Paused {
						if rec.State, err = rollout.Unpause(rec.State, now); err != nil {
							return errorf(http.StatusConflict, "%v", err)
						}
					}
				default:
					return errorf(http.StatusConflict, "cannot resume a rollout that is %s and not paused", st.Phase)
				}
			case "approve":
				if l.fleet == nil || l.fleet.Plan().Ring(req.Ring) < 0 {
					return errorf(http.StatusBadRequest, "approve needs the ring to enter (\"ring\"), one of the plan's rings")
				}
				rec.Approvals = append(rec.Approvals, rollout.Approval{Ring: req.Ring, By: by, At: now})
			case "adopt":
				// The policy changed under the rollout (the server was
				// restarted with an edited policy): move it onto the plan
				// now loaded, keeping its position by ring name.
				if l.fleet == nil {
					return errorf(http.StatusConflict, "the rollout's plan is not in the policy: %s", l.err)
				}
				if st.PlanDigest == l.fleet.Plan().Digest() {
					return errorf(http.StatusConflict, "the rollout already runs plan %s", st.PlanDigest)
				}
				if rec.State, err = l.fleet.Adopt(st, now); err != nil {
					return errorf(http.StatusConflict, "%v", err)
				}
			case "stop":
				a := rollout.Halt
				if req.Rollback {
					a = rollout.Rollback
				}
				if req.Reason == "" {
					return errorf(http.StatusBadRequest, "stop needs a reason")
				}
				if rec.State, err = rollout.Stop(st, a, by, req.Reason, now); err != nil {
					return errorf(http.StatusConflict, "%v", err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		s.log.Info("operator action", "rollout", id, "action", name, "by", by, "reason", req.Reason, "ring", req.Ring)
		return s.statusOf(l, true), http.StatusOK, nil
	}
}

func (l *live) lastObservation() (rollout.Observation, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.obs, l.obsOK
}

func (s *Server) pushObservation(r *http.Request, _ string) (any, int, error) {
	id := r.PathValue("id")
	if _, err := s.get(r.Context(), id); err != nil {
		return nil, 0, err
	}
	var obs rollout.Observation
	if err := decode(r, &obs); err != nil {
		return nil, 0, err
	}
	if obs.At.IsZero() {
		return nil, 0, errorf(http.StatusBadRequest, "observation needs \"at\", the time it was taken")
	}
	if len(obs.Approvals) > 0 {
		return nil, 0, errorf(http.StatusBadRequest, "approvals are granted with POST /v1/rollouts/{id}/approve, not in observations")
	}
	if err := s.cfg.Store.PutObservation(r.Context(), id, obs); err != nil {
		return nil, 0, err
	}
	if l := s.lookup(id); l != nil {
		l.dirty.Store(true)
	}
	return map[string]string{"rollout": id, "at": obs.At.UTC().Format(time.RFC3339Nano)}, http.StatusOK, nil
}
