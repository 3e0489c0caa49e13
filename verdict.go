package batch

import (
	"errors"
	"fmt"
)

// verdict reads the outcome of a run as Lambda needs it: the records to
// report (those that did not succeed and have an identifier, each
// identifier once, in input order) and the error of the call: a
// *RecordError wrapping ErrNoIdentifier for each failed record without an
// identifier, and a *BatchError when every record failed and batchErr is
// set, joined.
func (r *run[R]) verdict(batchErr bool) (failed []int, err error) {
	var errs []error
	failures := 0
	var seen map[string]struct{}
	for i := range r.res {
		o, cause := r.res[i].outcome(&r.late)
		if o == Succeeded || o == Diverted {
			continue
		}
		failures++
		id := r.ident(i)
		if id == "" {
			errs = append(errs, &RecordError{Index: i, Err: fmt.Errorf("%w (cause: %w)", ErrNoIdentifier, cause)})
			continue
		}
		// Most batches have few failures: a linear scan beats a map.
		if seen == nil {
			if !r.reported(failed, id) {
				failed = append(failed, i)
			}
			if len(failed) > 16 {
				seen = make(map[string]struct{}, 2*len(failed))
				for _, j := range failed {
					seen[r.ident(j)] = struct{}{}
				}
			}
			continue
		}
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			failed = append(failed, i)
		}
	}
	if batchErr && failures > 0 && failures == len(r.res) { // a diverted record was handled
		be := &BatchError{Errs: make([]error, len(r.res))}
		for i := range r.res {
			_, cause := r.res[i].outcome(&r.late)
			be.Errs[i] = &RecordError{Index: i, ID: r.ident(i), Err: cause}
		}
		errs = append(errs, be)
	}
	switch len(errs) {
	case 0:
		return failed, nil
	case 1:
		return failed, errs[0]
	}
	return failed, errors.Join(errs...)
}

// reported reports whether one of the records failed has identifier id.
func (r *run[R]) reported(failed []int, id string) bool {
	for _, j := range failed {
		if r.ident(j) == id {
			return true
		}
	}
	return false
}

// ident returns the identifier of record i, or "".
func (r *run[R]) ident(i int) string {
	if r.id == nil {
		return ""
	}
	return r.id(&r.records[i])
}

func contains[K comparable](s []K, v K) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// retries returns the records the response reports, as failures for
// Options.Retry.
func (r *run[R]) retries(failed []int) []Failure {
	fs := make([]Failure, len(failed))
	for k, i := range failed {
		o, err := r.res[i].outcome(&r.late)
		fs[k] = Failure{Record: r.record(i), Err: err, Permanent: r.policy.permanent(err), Outcome: o, Group: r.groupOf(i)}
	}
	return fs
}
