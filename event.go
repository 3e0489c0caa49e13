package batch

import "fmt"

// checkEvent returns the *EventError of an event that the entry point of
// source must not run: one with no records (Lambda never sends an empty
// batch, so such a payload is another service's event, decoded into the
// wrong type), or one with a record whose eventSource is set to another
// value than want. n is the number of records and eventSource gives the
// eventSource of record i. An empty eventSource is accepted, because test
// events often leave it out; a nil eventSource checks the count alone.
func checkEvent(source string, n int, eventSource func(i int) string, want ...string) error {
	if n == 0 {
		return &EventError{Source: source, Err: ErrNoRecords}
	}
	for i := 0; eventSource != nil && i < n; i++ {
		if err := checkSource(eventSource(i), want...); err != nil {
			return &EventError{Source: source, Err: fmt.Errorf("record %d: %w", i, err)}
		}
	}
	return nil
}

// checkSource accepts a record whose eventSource is empty or one of want.
func checkSource(got string, want ...string) error {
	if got == "" {
		return nil
	}
	for _, w := range want {
		if got == w {
			return nil
		}
	}
	return fmt.Errorf("%w: eventSource %q, want %q", ErrWrongSource, got, want[0])
}
