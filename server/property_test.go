package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/ringwise/ringwise/rollout"
)

// TestStoreCAS is a state machine test of the store against a plain model:
// writes from the current version succeed and bump it by one, writes from
// any other version fail with ErrConflict and change nothing, and the
// audit table always equals the stored state's log.
func TestStoreCAS(t *testing.T) {
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		ctx := context.Background()
		s, err := Open(ctx, "sqlite:"+filepath.Join(dir, fmt.Sprintf("db%d", n)))
		if err != nil {
			rt.Fatal(err)
		}
		defer s.Close()
		type model struct {
			version int64
			log     []rollout.Entry
		}
		m := map[string]*model{}
		ids := []string{"a", "b"}
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		state := func(id string, log []rollout.Entry) rollout.State {
			return rollout.State{Version: rollout.StateVersion, RolloutID: id, Phase: rollout.Running, Step: -1, Log: log}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"create": func(rt *rapid.T) {
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				_, err := s.Create(ctx, Record{ID: id, State: state(id, nil), PlanName: "p"})
				if m[id] != nil {
					if !errors.Is(err, ErrExists) {
						rt.Fatalf("create of an existing rollout: %v", err)
					}
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				m[id] = &model{version: 1}
			},
			"update": func(rt *rapid.T) {
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				mm := m[id]
				if mm == nil {
					rt.Skip("no rollout")
				}
				from := rapid.Int64Range(mm.version-2, mm.version+1).Draw(rt, "version")
				add := rapid.IntRange(0, 3).Draw(rt, "entries")
				log := append([]rollout.Entry(nil), mm.log...)
				for k := range add {
					log = append(log, rollout.Entry{At: t0.Add(time.Duration(len(log)+k) * time.Minute), Action: rollout.Hold, Ring: "r", Step: len(log)})
				}
				rec, err := s.Update(ctx, Record{ID: id, Version: from, State: state(id, log), PlanName: "p"}, len(mm.log))
				if from != mm.version {
					if !errors.Is(err, ErrConflict) {
						rt.Fatalf("write from version %d when the store has %d: %v", from, mm.version, err)
					}
					return
				}
				if err != nil || rec.Version != mm.version+1 {
					rt.Fatalf("write from the current version %d: %v (new version %d)", from, err, rec.Version)
				}
				mm.version, mm.log = rec.Version, log
			},
		})
		for id, mm := range m {
			rec, err := s.Get(ctx, id)
			if err != nil {
				rt.Fatal(err)
			}
			audit, err := s.Audit(ctx, id)
			if err != nil {
				rt.Fatal(err)
			}
			if rec.Version != mm.version || !cmp.Equal(rec.State.Log, mm.log, cmpEntries) || !cmp.Equal(audit, mm.log, cmpEntries) {
				rt.Fatalf("%s: version %d (model %d), log %d entries, audit %d (model %d)", id, rec.Version, mm.version, len(rec.State.Log), len(audit), len(mm.log))
			}
		}
	})
}

var cmpEntries = cmp.Comparer(func(a, b rollout.Entry) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
})

// TestAppendRaw: the host answer's hand-written JSON strings decode to
// the string they encode, for any valid UTF-8.
func TestAppendRaw(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := rapid.String().Draw(rt, "s")
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			rt.Fatalf("%q encodes as invalid JSON %s: %v", s, b, err)
		}
		if got != s {
			rt.Fatalf("%q round-trips as %q", s, got)
		}
	})
}
