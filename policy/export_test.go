package policy

import "time"

// WithRand returns cfg drawing its jitter from r.
func WithRand(cfg BackoffConfig, r func() float64) BackoffConfig {
	cfg.rand = r
	return cfg
}

// Delay returns the delay, before rounding, of a message received n times
// with u drawn for the jitter.
func Delay(cfg BackoffConfig, n int, u float64) time.Duration {
	if cfg.Base <= 0 {
		cfg.Base = DefaultBase
	}
	if cfg.Max <= 0 {
		cfg.Max = DefaultMax
	}
	cfg.Max = min(cfg.Max, MaxDelay)
	return cfg.delay(n, u)
}
