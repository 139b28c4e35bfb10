package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ringwise/ringwise/rollout"
)

// Client calls a server's API (what `ringwise rollout` uses). The zero
// value is not usable; set URL and Token. A Client is safe for concurrent
// use.
type Client struct {
	URL   string // e.g. http://127.0.0.1:8080
	Token string // operator token (or a host token, for Host)
	HTTP  *http.Client
}

// APIError is an error answer of the server.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("server: %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		var e Error
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("server: bad answer to %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Start starts a rollout.
func (c *Client) Start(ctx context.Context, req StartRequest) (Status, error) {
	var s Status
	return s, c.do(ctx, "POST", "/v1/rollouts", req, &s)
}

// Status returns a rollout with its audit log.
func (c *Client) Status(ctx context.Context, id string) (Status, error) {
	var s Status
	return s, c.do(ctx, "GET", "/v1/rollouts/"+url.PathEscape(id), nil, &s)
}

// List returns every rollout, without logs.
func (c *Client) List(ctx context.Context) ([]Status, error) {
	var s []Status
	return s, c.do(ctx, "GET", "/v1/rollouts", nil, &s)
}

// Act runs pause, resume, approve or stop.
func (c *Client) Act(ctx context.Context, id, action string, req ActionRequest) (Status, error) {
	var s Status
	return s, c.do(ctx, "POST", "/v1/rollouts/"+url.PathEscape(id)+"/"+action, req, &s)
}

// PushObservation stores an observation for a server without telemetry.
func (c *Client) PushObservation(ctx context.Context, id string, obs rollout.Observation) error {
	return c.do(ctx, "PUT", "/v1/rollouts/"+url.PathEscape(id)+"/observation", obs, nil)
}

// Host asks the host call.
func (c *Client) Host(ctx context.Context, id, host string) (HostAnswer, error) {
	var a HostAnswer
	return a, c.do(ctx, "GET", "/v1/rollouts/"+url.PathEscape(id)+"/hosts/"+url.PathEscape(host), nil, &a)
}
