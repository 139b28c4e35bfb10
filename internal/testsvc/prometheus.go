package testsvc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Prometheus is a running Prometheus server.
type Prometheus struct {
	*Process
	URL string // http://127.0.0.1:PORT
}

// StartPrometheus starts Debian's prometheus on a free loopback port with a
// temporary data directory, scraping targets (host:port) every second as
// job "fleet", and waits until it is ready (at most 60s).
func StartPrometheus(t testing.TB, targets ...string) *Prometheus {
	t.Helper()
	bin := Binary(t, "prometheus", "prometheus")
	dir := t.TempDir()
	quoted := make([]string, len(targets))
	for i, tg := range targets {
		quoted[i] = fmt.Sprintf("%q", tg)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: fleet
    static_configs:
      - targets: [%s]
`, strings.Join(quoted, ", "))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; ; attempt++ {
		port := FreePort(t)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		cmd := exec.Command(bin,
			"--config.file="+filepath.Join(dir, "prometheus.yml"),
			"--storage.tsdb.path="+filepath.Join(dir, "data"),
			"--web.listen-address="+addr,
			"--log.level=warn")
		p := start(t, dir, fmt.Sprintf("prometheus-%d", attempt), cmd)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := WaitHTTP(ctx, "http://"+addr+"/-/ready")
		cancel()
		if err == nil {
			return &Prometheus{Process: p, URL: "http://" + addr}
		}
		if attempt == 2 {
			t.Fatalf("prometheus did not become ready: %v\n%s", err, Tail(p.Log))
		}
	}
}
