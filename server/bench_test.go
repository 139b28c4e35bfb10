package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringwise/ringwise/rollout"
	"github.com/ringwise/ringwise/server"
)

// benchEnv starts a rollout at its first step.
func benchEnv(b *testing.B) *env {
	e := newEnv(b, "")
	ctx := context.Background()
	if _, err := e.op.Start(ctx, server.StartRequest{ID: "r1", Update: rollout.Update{ID: "c-1", Kind: "content"}}); err != nil {
		b.Fatal(err)
	}
	e.push(b, "r1", 0, 0, 0)
	e.srv.Step(ctx, "r1")
	return e
}

// BenchmarkHostCallHandler measures the host call's handler alone, without
// the network.
func BenchmarkHostCallHandler(b *testing.B) {
	e := benchEnv(b)
	h := e.srv.Handler()
	req := httptest.NewRequest("GET", "/v1/rollouts/r1/hosts/h-042", nil)
	req.Header.Set("Authorization", "Bearer "+hostToken)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.code = 0
		h.ServeHTTP(w, req)
	}
	if w.code != 0 && w.code != 200 {
		b.Fatalf("status %d", w.code)
	}
}

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkHostCallLoopback is the load test of the host call: an
// http.Server on 127.0.0.1 and 32 keep-alive connections, each asking for
// hosts one request at a time with a minimal HTTP/1.1 client (so that the
// client's own cost stays small next to the server's: both share the
// machine). It reports requests per second and the 50th and 99th
// percentile latency seen by the clients.
//
//	go test ./server -run XXX -bench HostCallLoopback -benchtime 200000x
func BenchmarkHostCallLoopback(b *testing.B) {
	e := benchEnv(b)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: e.srv.Handler()}
	go hs.Serve(l)
	defer hs.Close()
	const conns = 32
	per := (b.N + conns - 1) / conns
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	errc := make(chan error, conns)
	b.ResetTimer()
	start := time.Now()
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[c] = make([]time.Duration, 0, per)
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				errc <- err
				return
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			for i := range per {
				req := fmt.Sprintf("GET /v1/rollouts/r1/hosts/h-%03d HTTP/1.1\r\nHost: ringwise\r\nAuthorization: Bearer %s\r\n\r\n", (c*per+i)%100, hostToken)
				t0 := time.Now()
				if _, err := io.WriteString(conn, req); err != nil {
					errc <- err
					return
				}
				if err := readResponse(r); err != nil {
					errc <- err
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	select {
	case err := <-errc:
		b.Fatal(err)
	default:
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

// readResponse reads one HTTP/1.1 response with a Content-Length body and
// fails unless it is 200.
func readResponse(r *bufio.Reader) error {
	status, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status, "HTTP/1.1 200") {
		return fmt.Errorf("status %q", status)
	}
	n := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if line == "\r\n" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
			n, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if n < 0 {
		return fmt.Errorf("no Content-Length")
	}
	_, err = r.Discard(n)
	return err
}
