package batch_test

import (
	"sync/atomic"
	"testing"
	"time"
)

// lagProbe measures how late the runtime wakes a sleeping goroutine while a
// deadline test runs. The deadline tests hold the engine to instants (no
// handler starts after deadline − margin, the call returns before the
// deadline) that a machine loaded by other processes can miss by a
// descheduling alone; they widen their tolerance by the lag the probe saw,
// so that on an idle machine (a lag of a millisecond or two) they still
// catch an engine that is late, and on a loaded one they do not blame the
// engine for the scheduler.
type lagProbe struct {
	max  atomic.Int64 // the largest lag seen, in nanoseconds
	stop chan struct{}
	done chan struct{}
}

// startLagProbe starts a probe that sleeps a millisecond at a time and
// keeps the largest oversleep. It stops when the test ends, if not before.
func startLagProbe(t *testing.T) *lagProbe {
	p := &lagProbe{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		const tick = time.Millisecond
		for {
			select {
			case <-p.stop:
				return
			default:
			}
			start := time.Now()
			time.Sleep(tick)
			if lag := int64(time.Since(start) - tick); lag > p.max.Load() {
				p.max.Store(lag)
			}
		}
	}()
	t.Cleanup(p.end)
	return p
}

// end stops the probe; it may be called more than once.
func (p *lagProbe) end() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

// Lag stops the probe and returns the largest lag it saw, logging it when it
// is large enough to have widened a tolerance.
func (p *lagProbe) Lag(t *testing.T) time.Duration {
	t.Helper()
	p.end()
	lag := time.Duration(p.max.Load())
	if lag > 5*time.Millisecond {
		t.Logf("the scheduler woke a goroutine up to %v late during this test; timing tolerances widened by that much", lag)
	}
	return lag
}
