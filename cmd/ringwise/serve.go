//go:build !js

// The server links SQLite and PostgreSQL drivers that do not build for
// js/wasm; the wasm build of the CLI (used to check that simulations are
// byte-identical in the browser) leaves serve and rollout out.

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ringwise/ringwise/observe"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/server"
)

func init() {
	commands = append(commands,
		command{"serve", "run the update server and rollout controller", runServe},
		command{"rollout", "start, inspect and steer rollouts on a server", runRollout})
}

const serveDescription = `
Serve the host call (GET /v1/rollouts/{id}/hosts/{host}) and the rollout API,
and run the controller: every rollout is decided when its decision asks,
when its telemetry changes or an operator acts, and each decision is stored
with a compare-and-swap (SQLite by default; PostgreSQL for several replicas).

Tokens: hosts and operators authenticate with "Authorization: Bearer TOKEN".
Host tokens come from -host-tokens FILE or $RINGWISE_HOST_TOKEN: a line
"TOKEN" may ask about any host, "HOST:TOKEN" only about HOST. Operator
tokens from -operator-tokens FILE ("NAME:TOKEN" lines; the name goes to the
audit log) or $RINGWISE_OPERATOR_TOKEN ("NAME:TOKEN" or TOKEN). Tokens have
at least 16 characters.

Without -telemetry, a program pushes observations it builds itself with
PUT /v1/rollouts/{id}/observation. SIGINT or SIGTERM shut down gracefully.`

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", "-policy PATH -inventory FILE [flags]", serveDescription)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	db := fs.String("db", "sqlite:ringwise.db", "database: sqlite:PATH or postgres://...")
	pol := fs.String("policy", "", "policy file or directory (required)")
	inv := fs.String("inventory", "", "inventory `file`: a JSON array of {\"id\", \"labels\"} (required)")
	tel := fs.String("telemetry", "", "telemetry `file` with a telemetry \"prometheus\" block")
	hostTokens := fs.String("host-tokens", "", "`file` of host tokens, TOKEN (any host) or HOST:TOKEN a line")
	opTokens := fs.String("operator-tokens", "", "`file` of operator tokens, NAME:TOKEN a line")
	tick := fs.Duration("tick", time.Second, "how often the controller looks at its rollouts")
	observeEvery := fs.Duration("observe-every", 15*time.Second, "how often telemetry is read")
	decideEvery := fs.Duration("decide-every", time.Minute, "longest time between two decisions")
	hostInterval := fs.Duration("host-interval", time.Minute, "how long a waiting host is told to wait when the engine gives no time")
	logFormat := fs.String("log", "text", "log format: text or json")
	if c := parseFlags(fs, args, stdout, stderr); c >= 0 {
		return c
	}
	if *pol == "" || *inv == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "ringwise serve: -policy and -inventory are required, and no arguments")
		usageError(fs, stderr)
		return 2
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)

	p, ok := loadPolicy([]string{*pol}, stderr)
	if !ok {
		return 1
	}
	data, err := os.ReadFile(*inv)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise serve: %v\n", err)
		return 1
	}
	hosts, err := server.ParseInventory(data, *inv)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise serve: %v\n", err)
		return 1
	}
	cfg := server.Config{Plans: p, Hosts: hosts, Logger: log, Tick: *tick, ObserveEvery: *observeEvery,
		DecideEvery: *decideEvery, HostInterval: *hostInterval}
	if *tel != "" {
		tc, diags := observe.LoadConfig(*tel)
		policy.WriteDiagnostics(stderr, tc.Files, diags)
		if diags.HasErrors() {
			return 1
		}
		if cfg.Observer, err = observe.New(tc, nil); err != nil {
			fmt.Fprintf(stderr, "ringwise serve: %v\n", err)
			return 1
		}
	}
	if !strings.HasPrefix(*db, "sqlite:") && !strings.HasPrefix(*db, "postgres://") && !strings.HasPrefix(*db, "postgresql://") {
		fmt.Fprintf(stderr, "ringwise serve: -db %q: want sqlite:PATH or a postgres:// URL\n", *db)
		return 2
	}
	if cfg.OperatorTokens, err = tokens(*opTokens, "RINGWISE_OPERATOR_TOKEN", "operator"); err != nil {
		fmt.Fprintf(stderr, "ringwise serve: operator tokens: %v\n", err)
		return 1
	}
	ht, err := tokens(*hostTokens, "RINGWISE_HOST_TOKEN", "*")
	if err != nil {
		fmt.Fprintf(stderr, "ringwise serve: host tokens: %v\n", err)
		return 1
	}
	for t, host := range ht {
		if host == "*" {
			cfg.HostTokens = append(cfg.HostTokens, t)
			continue
		}
		if cfg.HostTokenOf == nil {
			cfg.HostTokenOf = map[string]string{}
		}
		if _, dup := cfg.HostTokenOf[host]; dup {
			fmt.Fprintf(stderr, "ringwise serve: host tokens: host %q has two tokens\n", host)
			return 1
		}
		cfg.HostTokenOf[host] = t
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := server.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise serve: %v\n", err)
		return 1
	}
	defer store.Close()
	cfg.Store = store
	srv, err := server.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise serve: %v\n", err)
		return 1
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "ringwise serve: %v\n", err)
		return 1
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	log.Info("serving", "addr", l.Addr().String(), "db", store.Dialect(), "hosts", len(hosts), "telemetry", *tel != "")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	runDone := make(chan struct{})
	go func() { srv.Run(ctx); close(runDone) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		log.Error("http server stopped", "err", err)
		stop()
		<-runDone
		return 1
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("shutdown", "err", err)
	}
	<-runDone
	log.Info("stopped")
	return 0
}

// tokens reads a token file, or the environment variable env.
func tokens(file, env, def string) (map[string]string, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return server.ParseTokens(data, file, def)
	}
	if v := os.Getenv(env); v != "" {
		return server.ParseTokens([]byte(v), "$"+env, def)
	}
	return nil, fmt.Errorf("none given: use a token file flag or $%s", env)
}
