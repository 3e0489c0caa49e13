//go:build go1.25

package batch

// cancelled reports whether the run's context is done. It is called once a
// record, and must see a cancellation that happened before it on the
// worker's goroutine (a handler that cancels the parent context stops the
// records after it), so it asks the context itself rather than a flag set
// by a context.AfterFunc, which runs on a goroutine of its own. Since Go
// 1.25, Err is an atomic load, under half the cost of a select on Done.
func (r *run[R]) cancelled() bool { return r.ctx.Err() != nil }
