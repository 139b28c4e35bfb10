package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go

	"github.com/ringwise/ringwise/rollout"
)

// Errors of a Store.
var (
	ErrNotFound = errors.New("server: no such rollout")
	ErrExists   = errors.New("server: rollout already exists")
	// ErrConflict means the rollout changed since it was read: another
	// controller or operator wrote first. Read it again and retry.
	ErrConflict = errors.New("server: rollout changed concurrently (version conflict)")
)

// Record is one rollout as stored: the engine's State, the approvals
// granted so far and a version that every write increments.
type Record struct {
	ID        string
	Version   int64
	State     rollout.State
	Approvals []rollout.Approval
	// Kind and Plan select the plan (policy.Policy.Select) when the
	// rollout is loaded again.
	PlanName string
}

// Store keeps rollouts with compare-and-swap writes. Every write names the
// version it read; a write from an older version fails with ErrConflict,
// so two controllers (two replicas, or a controller and an operator) can
// never both apply a decision to the same state, and a decision is stored
// with its audit entries in one transaction or not at all.
type Store struct {
	db      *sql.DB
	dialect string // "sqlite" or "postgres"
}

// Open opens a store. dsn is "sqlite:PATH" (a file, created if missing) or
// a PostgreSQL URL ("postgres://..." or "postgresql://..."). The schema is
// created when missing.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s Store
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("server: sqlite: needs a file path, as in sqlite:PATH")
		}
		s.dialect = "sqlite"
		s.db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err == nil {
			s.db.SetMaxOpenConns(1) // one writer; reads are rare (hosts are answered from memory)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = "postgres"
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			// Decisions and operator actions are short transactions; a few
			// connections per replica leave room for many replicas.
			s.db.SetMaxOpenConns(8)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		return nil, fmt.Errorf("server: database %q: want sqlite:PATH or a postgres:// URL", dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("server: open %s: %w", s.dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return &s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

func (s *Store) migrate(ctx context.Context) error {
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS ringwise_rollouts (
			id TEXT PRIMARY KEY,
			version BIGINT NOT NULL,
			plan_name TEXT NOT NULL,
			state TEXT NOT NULL,
			approvals TEXT NOT NULL,
			updated_at TEXT NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS ringwise_audit (
			rollout_id TEXT NOT NULL,
			seq BIGINT NOT NULL,
			version BIGINT NOT NULL,
			entry TEXT NOT NULL,
			PRIMARY KEY (rollout_id, seq)
		)`,
		`CREATE TABLE IF NOT EXISTS ringwise_observations (
			rollout_id TEXT PRIMARY KEY,
			observation TEXT NOT NULL
		)`,
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			// Two replicas creating the schema at once: PostgreSQL may
			// report a duplicate type; the table then exists.
			if s.dialect == "postgres" && strings.Contains(err.Error(), "duplicate key") {
				continue
			}
			return fmt.Errorf("server: create schema: %w", err)
		}
	}
	return nil
}

// q rewrites ? placeholders as $1, $2... for PostgreSQL.
func (s *Store) q(query string) string {
	if s.dialect != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Create stores a new rollout at version 1 with the audit entries of its
// state's log.
func (s *Store) Create(ctx context.Context, rec Record) (Record, error) {
	body, err := rollout.MarshalState(rec.State)
	if err != nil {
		return rec, err
	}
	appr, _ := json.Marshal(nonNil(rec.Approvals))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return rec, fmt.Errorf("server: store: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM ringwise_rollouts WHERE id = ?`), rec.ID).Scan(&n); err != nil {
		return rec, fmt.Errorf("server: store: %w", err)
	}
	if n > 0 {
		return rec, fmt.Errorf("%w: %q", ErrExists, rec.ID)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO ringwise_rollouts (id, version, plan_name, state, approvals, updated_at) VALUES (?, 1, ?, ?, ?, ?)`),
		rec.ID, rec.PlanName, string(body), string(appr), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		if isUnique(err) {
			return rec, fmt.Errorf("%w: %q", ErrExists, rec.ID)
		}
		return rec, fmt.Errorf("server: store: %w", err)
	}
	if err := s.audit(ctx, tx, rec.ID, 1, rec.State.Log, 0); err != nil {
		return rec, err
	}
	if err := tx.Commit(); err != nil {
		if isUnique(err) {
			return rec, fmt.Errorf("%w: %q", ErrExists, rec.ID)
		}
		return rec, fmt.Errorf("server: store: %w", err)
	}
	rec.Version = 1
	return rec, nil
}

func isUnique(err error) bool {
	m := err.Error()
	return strings.Contains(m, "UNIQUE") || strings.Contains(m, "duplicate key") || strings.Contains(m, "23505")
}

func nonNil(a []rollout.Approval) []rollout.Approval {
	if a == nil {
		return []rollout.Approval{}
	}
	return a
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, id string, version int64, log []rollout.Entry, from int) error {
	for i := from; i < len(log); i++ {
		e, err := json.Marshal(log[i])
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO ringwise_audit (rollout_id, seq, version, entry) VALUES (?, ?, ?, ?)`), id, i, version, string(e)); err != nil {
			if isUnique(err) {
				return fmt.Errorf("%w: audit entry %d of %q exists", ErrConflict, i, id)
			}
			return fmt.Errorf("server: store audit: %w", err)
		}
	}
	return nil
}

// Update writes rec over the version it was read at (rec.Version) and
// appends the entries of rec.State.Log from index logFrom (the length of
// the log when it was read) to the audit log, in one transaction. It
// returns the record at its new version, or ErrConflict when the stored
// version is no longer rec.Version.
func (s *Store) Update(ctx context.Context, rec Record, logFrom int) (Record, error) {
	body, err := rollout.MarshalState(rec.State)
	if err != nil {
		return rec, err
	}
	appr, _ := json.Marshal(nonNil(rec.Approvals))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return rec, fmt.Errorf("server: store: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE ringwise_rollouts SET version = version + 1, state = ?, approvals = ?, updated_at = ? WHERE id = ? AND version = ?`),
		string(body), string(appr), time.Now().UTC().Format(time.RFC3339Nano), rec.ID, rec.Version)
	if err != nil {
		if isSerialization(err) {
			return rec, ErrConflict
		}
		return rec, fmt.Errorf("server: store: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return rec, fmt.Errorf("server: store: %w", err)
	}
	if n != 1 {
		return rec, ErrConflict
	}
	if err := s.audit(ctx, tx, rec.ID, rec.Version+1, rec.State.Log, logFrom); err != nil {
		return rec, err
	}
	if err := tx.Commit(); err != nil {
		if isSerialization(err) {
			return rec, ErrConflict
		}
		return rec, fmt.Errorf("server: store: %w", err)
	}
	rec.Version++
	return rec, nil
}

func isSerialization(err error) bool {
	m := err.Error()
	return strings.Contains(m, "40001") || strings.Contains(m, "could not serialize")
}

// Get reads one rollout.
func (s *Store) Get(ctx context.Context, id string) (Record, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT id, version, plan_name, state, approvals FROM ringwise_rollouts WHERE id = ?`), id)
	rec, err := scanRecord(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return rec, err
}

func scanRecord(scan func(...any) error) (Record, error) {
	var rec Record
	var state, appr string
	if err := scan(&rec.ID, &rec.Version, &rec.PlanName, &state, &appr); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return rec, err
		}
		return rec, fmt.Errorf("server: store: %w", err)
	}
	st, err := rollout.ParseState([]byte(state))
	if err != nil {
		return rec, fmt.Errorf("server: stored state of %q: %w", rec.ID, err)
	}
	rec.State = st
	if err := json.Unmarshal([]byte(appr), &rec.Approvals); err != nil {
		return rec, fmt.Errorf("server: stored approvals of %q: %w", rec.ID, err)
	}
	return rec, nil
}

// Versions returns the version of every rollout, to find what changed.
func (s *Store) Versions(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, version FROM ringwise_rollouts`)
	if err != nil {
		return nil, fmt.Errorf("server: store: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("server: store: %w", err)
		}
		out[id] = v
	}
	return out, rows.Err()
}

// Audit returns a rollout's audit log in order: one entry per decision
// that changed something, each written exactly once.
func (s *Store) Audit(ctx context.Context, id string) ([]rollout.Entry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, entry FROM ringwise_audit WHERE rollout_id = ? ORDER BY seq`), id)
	if err != nil {
		return nil, fmt.Errorf("server: store: %w", err)
	}
	defer rows.Close()
	var out []rollout.Entry
	for rows.Next() {
		var seq int
		var body string
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, fmt.Errorf("server: store: %w", err)
		}
		if seq != len(out) {
			return nil, fmt.Errorf("server: audit log of %q has a gap at %d", id, len(out))
		}
		var e rollout.Entry
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return nil, fmt.Errorf("server: audit entry %d of %q: %w", seq, id, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutObservation stores the latest observation pushed for a rollout (by a
// program that builds observations itself), for every replica to read.
func (s *Store) PutObservation(ctx context.Context, id string, obs rollout.Observation) error {
	body, err := json.Marshal(obs)
	if err != nil {
		return err
	}
	q := `INSERT INTO ringwise_observations (rollout_id, observation) VALUES (?, ?)
		ON CONFLICT (rollout_id) DO UPDATE SET observation = excluded.observation`
	if _, err := s.db.ExecContext(ctx, s.q(q), id, string(body)); err != nil {
		return fmt.Errorf("server: store: %w", err)
	}
	return nil
}

// Observation returns the latest pushed observation; ok is false when none
// was pushed.
func (s *Store) Observation(ctx context.Context, id string) (obs rollout.Observation, ok bool, err error) {
	var body string
	err = s.db.QueryRowContext(ctx, s.q(`SELECT observation FROM ringwise_observations WHERE rollout_id = ?`), id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return obs, false, nil
	}
	if err != nil {
		return obs, false, fmt.Errorf("server: store: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &obs); err != nil {
		return obs, false, fmt.Errorf("server: stored observation of %q: %w", id, err)
	}
	return obs, true, nil
}
