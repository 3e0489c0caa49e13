package batch

import "fmt"

// check returns the *EventError of an event that must not run: one with no
// records (Lambda never sends an empty batch, so such a payload is another
// service's event, decoded into the wrong type), or one with a record whose
// eventSource is set to another value than the source's. An empty
// eventSource is accepted, because test events often leave it out. The
// records of [Records] are not checked.
func (s Source[E, R, Resp]) check(ev E, records []R) error {
	if s.custom {
		return nil
	}
	if len(records) == 0 {
		return &EventError{Source: s.name, Err: ErrNoRecords}
	}
	if s.origin == nil {
		return nil
	}
	for i := range records {
		got := s.origin(ev, i)
		if got == "" || contains(s.origins, got) {
			continue
		}
		err := fmt.Errorf("%w: eventSource %q, want %q", ErrWrongSource, got, s.origins[0])
		if s.name != "Kafka" { // a Kafka event names its source once, for all records
			err = fmt.Errorf("record %d: %w", i, err)
		}
		return &EventError{Source: s.name, Err: err}
	}
	return nil
}
