//go:build !go1.25

package batch

// cancelled reports whether the run's context is done; see cancelled.go.
// Before Go 1.25, Err takes the context's mutex, about three times the cost
// of a select on Done.
func (r *run[R]) cancelled() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}
