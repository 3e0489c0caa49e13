package batch

import (
	"errors"
	"fmt"
)

// Outcome is what happened to one record.
type Outcome uint8

const (
	// NotProcessed means the handler was never called for the record: it was
	// skipped after an earlier failure ([ErrSkipped]), or not started before
	// the deadline ([ErrDeadline]) or a cancellation ([ErrCanceled]). Lambda
	// is told to retry it.
	NotProcessed Outcome = iota
	// Succeeded means the handler returned nil.
	Succeeded
	// Failed means the handler returned an error or panicked, the record was
	// rejected before the handler ran, or its handler was abandoned at the
	// deadline. Lambda is told to retry it.
	Failed
)

// String returns "not processed", "succeeded" or "failed".
func (o Outcome) String() string {
	switch o {
	case NotProcessed:
		return "not processed"
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Result is the outcome of one record.
type Result[R any] struct {
	Index   int     // position in the batch, from 0
	ID      string  // identifier reported to Lambda ("" if the source has none)
	Record  R       // the record as given to the handler
	Outcome Outcome // what happened
	Err     error   // nil if and only if Outcome is Succeeded
}

// Report holds the outcome of every record of one call of [Process], in input
// order. A Report is not safe for concurrent modification, but any number of
// goroutines may read it.
type Report[R any] struct {
	records []R
	id      func(R) string
	res     []result
	late    *lateErrs
	err     error
}

func newReport[R any](records []R, id func(R) string, res []result, late *lateErrs, batchErr bool) *Report[R] {
	r := &Report[R]{records: records, id: id, res: res, late: late}
	r.err = r.computeErr(batchErr)
	return r
}

// Len returns the number of records in the batch.
func (r *Report[R]) Len() int { return len(r.res) }

// Result returns the outcome of the record at index i. It panics if i is out
// of range, like a slice index.
func (r *Report[R]) Result(i int) Result[R] {
	o, err := r.res[i].outcome(r.late)
	return Result[R]{
		Index:   i,
		ID:      r.ident(i),
		Record:  r.records[i],
		Outcome: o,
		Err:     err,
	}
}

// Results returns the outcome of every record, in input order.
func (r *Report[R]) Results() []Result[R] {
	out := make([]Result[R], len(r.res))
	for i := range r.res {
		out[i] = r.Result(i)
	}
	return out
}

// Failed returns the records that did not succeed (Failed or NotProcessed),
// in input order: the records Lambda is told to retry.
func (r *Report[R]) Failed() []Result[R] {
	var out []Result[R]
	for i := range r.res {
		if !r.succeeded(i) {
			out = append(out, r.Result(i))
		}
	}
	return out
}

// Count returns how many records have outcome o.
func (r *Report[R]) Count(o Outcome) int {
	n := 0
	for i := range r.res {
		if got, _ := r.res[i].outcome(r.late); got == o {
			n++
		}
	}
	return n
}

// FailedIDs returns the identifiers of the records that did not succeed, in
// input order, each once, without empty identifiers. It is never nil, so
// that it marshals as an empty JSON list.
func (r *Report[R]) FailedIDs() []string {
	return failedKeys(r, func(i int) (string, bool) {
		id := r.ident(i)
		return id, id != ""
	})
}

// failedKeys returns key(i) for each record i that did not succeed and for
// which key reports true, in input order, without duplicates; never nil.
func failedKeys[R any, K comparable](r *Report[R], key func(i int) (K, bool)) []K {
	out := []K{}
	var seen map[K]struct{}
	for i := range r.res {
		if r.succeeded(i) {
			continue
		}
		k, ok := key(i)
		if !ok {
			continue
		}
		if seen == nil {
			// Most batches have few failures: a linear scan beats a map.
			if !contains(out, k) {
				out = append(out, k)
			}
			if len(out) > 16 {
				seen = make(map[K]struct{}, 2*len(out))
				for _, s := range out {
					seen[s] = struct{}{}
				}
			}
			continue
		}
		if _, dup := seen[k]; !dup {
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}

// Err returns the error the Lambda handler should return with the response:
// nil for success and for partial failure; a [*RecordError] wrapping
// [ErrNoIdentifier] for each failed record without an identifier; a
// [*BatchError] when every record failed (unless [Processor.NoBatchError]).
// Several errors are joined with [errors.Join].
func (r *Report[R]) Err() error { return r.err }

func (r *Report[R]) computeErr(batchErr bool) error {
	var errs []error
	failed := 0
	for i := range r.res {
		if r.succeeded(i) {
			continue
		}
		failed++
		if r.ident(i) == "" {
			_, cause := r.res[i].outcome(r.late)
			errs = append(errs, &RecordError{Index: i, Err: fmt.Errorf("%w (cause: %w)", ErrNoIdentifier, cause)})
		}
	}
	if batchErr && failed > 0 && failed == len(r.res) {
		be := &BatchError{Errs: make([]error, len(r.res))}
		for i := range r.res {
			_, cause := r.res[i].outcome(r.late)
			be.Errs[i] = &RecordError{Index: i, ID: r.ident(i), Err: cause}
		}
		errs = append(errs, be)
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

func (r *Report[R]) succeeded(i int) bool {
	o, _ := r.res[i].outcome(r.late)
	return o == Succeeded
}

func (r *Report[R]) ident(i int) string {
	if r.id == nil {
		return ""
	}
	return r.id(r.records[i])
}

func contains[K comparable](s []K, v K) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
