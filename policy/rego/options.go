package rego

import (
	"fmt"
	"time"
)

// DefaultTimeout bounds one gate evaluation unless WithTimeout or a gate's
// own timeout says otherwise.
const DefaultTimeout = 100 * time.Millisecond

// MaxTimeout is the longest evaluation deadline a gate may have: a gate
// holds up a controller call, so it must answer within seconds.
const MaxTimeout = 5 * time.Second

// Option configures Compile and NewLoader.
type Option func(*config)

type config struct {
	timeout time.Duration
	err     error
}

// WithTimeout sets the deadline of one evaluation (DefaultTimeout by
// default). It must be in (0, MaxTimeout]; anything else makes Compile
// fail (and every LoadGate of a Loader report it).
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if err := checkTimeout(d); err != nil && c.err == nil {
			c.err = err
		}
		c.timeout = d
	}
}

func checkTimeout(d time.Duration) error {
	if d <= 0 || d > MaxTimeout {
		return fmt.Errorf("rego: timeout must be in (0, %s], got %s", MaxTimeout, d)
	}
	return nil
}

func buildConfig(opts []Option) config {
	c := config{timeout: DefaultTimeout}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}
