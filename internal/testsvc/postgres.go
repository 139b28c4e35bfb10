package testsvc

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Postgres is a running PostgreSQL cluster.
type Postgres struct {
	*Process
	DSN string // postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
}

// StartPostgres creates a PostgreSQL cluster with Debian's initdb in a
// temporary directory and runs it on a free loopback port (as the user
// postgres when the test runs as root, which PostgreSQL refuses), and waits
// until it accepts connections (at most 60s).
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	initdb := Binary(t, "initdb", "postgresql", "/usr/lib/postgresql/*/bin")
	postgres := filepath.Join(filepath.Dir(initdb), "postgres")
	dir, err := os.MkdirTemp("", "ringwise-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "sock")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no user postgres to run PostgreSQL as (install the Debian package postgresql): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{dir} {
			if err := os.Chown(d, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(sock, 0o755); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		os.Chown(sock, int(cred.Uid), int(cred.Gid))
	}
	cmd := exec.Command(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	for attempt := 0; ; attempt++ {
		port := FreePort(t)
		cmd := exec.Command(postgres, "-D", data, "-p", strconv.Itoa(port), "-k", sock,
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = dir
		// SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for
		// every client to disconnect.
		p := startSig(t, dir, fmt.Sprintf("postgres-%d", attempt), cmd, syscall.SIGINT)
		dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		if err := waitSQL(dsn, 60*time.Second); err == nil {
			return &Postgres{Process: p, DSN: dsn}
		} else if attempt == 2 {
			t.Fatalf("postgres did not accept connections: %v\n%s", err, Tail(p.Log))
		}
	}
}

func waitSQL(dsn string, d time.Duration) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
