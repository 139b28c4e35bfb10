package server

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ringwise/ringwise/rollout"
)

// HostAnswer is the host call's JSON answer:
//
//	GET /v1/rollouts/r1/hosts/h-0042
//	200 {"rollout":"r1","host":"h-0042","verdict":"wait","why":"not reached yet",
//	     "rule":"broad","src":"content.hcl:12:3","ask_again":"2026-11-24T12:01:00Z"}
//
// Verdict is take, wait, revert or never. Rule and Src name the policy
// rule that decided, when one did. AskAgain is when the answer may change:
// the engine's time when it knows one (a window opens, a deferral ends),
// otherwise the server's host interval from now; it is omitted for never.
// A host the inventory does not know is told never (why "unknown host");
// a rollout the server does not know is a 404.
type HostAnswer struct {
	Rollout  string    `json:"rollout"`
	Host     string    `json:"host"`
	Verdict  string    `json:"verdict"`
	Why      string    `json:"why"`
	Rule     string    `json:"rule,omitempty"`
	Src      string    `json:"src,omitempty"`
	AskAgain time.Time `json:"ask_again,omitzero"`
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// hostCallIDs answers GET /v1/rollouts/{id}/hosts/{host} from memory.
func (s *Server) hostCallIDs(w http.ResponseWriter, r *http.Request, id, host string) {
	start := time.Now()
	switch s.hostAuth(bearer(r), host) {
	case authNone:
		s.m.hostErrors.Inc()
		writeError(w, http.StatusUnauthorized, "a host or operator token is required (Authorization: Bearer TOKEN)")
		return
	case authOtherHost:
		s.m.hostErrors.Inc()
		writeError(w, http.StatusForbidden, "this host token may only ask about its own host, not "+strconv.Quote(host))
		return
	}
	l := s.lookup(id)
	if l == nil {
		// Not in memory: another replica may have started it a moment
		// ago. Only this slow path reads the store.
		var err error
		if l, err = s.get(r.Context(), id); err != nil {
			s.m.hostErrors.Inc()
			if errors.Is(err, ErrNotFound) {
				writeError(w, http.StatusNotFound, "no rollout "+strconv.Quote(id))
			} else {
				s.log.Error("host call: load rollout", "rollout", id, "err", err)
				writeError(w, http.StatusServiceUnavailable, "cannot load rollout "+strconv.Quote(id)+"; ask again later")
			}
			return
		}
	}
	now := s.cfg.Now()
	var e rollout.Eligibility
	if l.fleet == nil {
		e = rollout.Eligibility{Verdict: rollout.Wait, Why: rollout.WhyBadState}
	} else {
		e = l.fleet.Eligible(host, &l.snap.Load().State, now)
	}
	bp := bufPool.Get().(*[]byte)
	b := appendAnswer((*bp)[:0], id, host, e, now, s.cfg.HostInterval)
	h := w.Header()
	h["Content-Type"] = jsonType
	w.Write(b)
	*bp = b
	bufPool.Put(bp)
	s.m.hostCalls[e.Verdict&3].Inc()
	s.m.hostSeconds.Observe(time.Since(start).Seconds())
}

var jsonType = []string{"application/json"}

// appendAnswer appends the JSON of a HostAnswer without reflection or
// allocation.
func appendAnswer(b []byte, id, host string, e rollout.Eligibility, now time.Time, interval time.Duration) []byte {
	b = append(b, `{"rollout":`...)
	b = appendString(b, id)
	b = append(b, `,"host":`...)
	b = appendString(b, host)
	b = append(b, `,"verdict":"`...)
	b = append(b, e.Verdict.String()...)
	b = append(b, `","why":`...)
	b = appendString(b, e.Why.String())
	if e.Rule != "" {
		b = append(b, `,"rule":`...)
		b = appendString(b, e.Rule)
	}
	if e.Src.File != "" || e.Src.Line != 0 {
		b = append(b, `,"src":"`...)
		b = appendRaw(b, e.Src.File)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Src.Line), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Src.Column), 10)
		b = append(b, '"')
	}
	if e.Verdict != rollout.Never {
		at := e.From
		if at.IsZero() || !at.After(now) {
			at = now.Add(interval)
		}
		b = append(b, `,"ask_again":"`...)
		b = at.UTC().Truncate(time.Second).AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	return append(b, "}\n"...)
}

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendRaw(b, s)
	return append(b, '"')
}

const hex = "0123456789abcdef"

// appendRaw appends s escaped for a JSON string: quotes, backslashes,
// control characters and HTML-sensitive characters escaped, invalid UTF-8
// replaced by U+FFFD.
func appendRaw(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const p = "Bearer "
	if len(h) > len(p) && h[:len(p)] == p {
		return h[len(p):]
	}
	return ""
}

// hostAuthorized reports whether the request carries any host token (or
// an operator token).
func (s *Server) hostAuthorized(r *http.Request) bool {
	return s.hostAuth(bearer(r), "") != authNone
}

type auth uint8

const (
	authNone      auth = iota // no valid token
	authOK                    // may ask about host
	authOtherHost             // a valid token of another host
)

// hostAuth checks token t for a host call about host: a fleet-wide host
// token or an operator token may ask about any host, a host's own token
// (Config.HostTokenOf) only about that host. Comparisons take constant
// time.
func (s *Server) hostAuth(t, host string) auth {
	if t == "" {
		return authNone
	}
	ok := 0
	for _, h := range s.cfg.HostTokens {
		ok |= subtle.ConstantTimeCompare([]byte(t), []byte(h))
	}
	if own, found := s.cfg.HostTokenOf[host]; found {
		ok |= subtle.ConstantTimeCompare([]byte(t), []byte(own))
	}
	if ok == 1 {
		return authOK
	}
	if _, op := s.operator(t); op {
		return authOK
	}
	if s.isHostToken(t) {
		return authOtherHost
	}
	return authNone
}

// isHostToken reports whether t is some host's own token.
func (s *Server) isHostToken(t string) bool {
	if t == "" {
		return false
	}
	found := 0
	for _, tok := range s.cfg.HostTokenOf {
		found |= subtle.ConstantTimeCompare([]byte(t), []byte(tok))
	}
	return found == 1
}

// operator returns the name of the operator whose token t is.
func (s *Server) operator(t string) (string, bool) {
	if t == "" {
		return "", false
	}
	name, found := "", false
	for tok, n := range s.cfg.OperatorTokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			name, found = n, true
		}
	}
	return name, found
}
