package batchtest_test

import (
	"encoding"
	"fmt"
	"time"

	"github.com/seed-45ee126e/batch/batchtest"
)

// Level decodes itself from text, which is fine as a field; as a map key
// it is left to encoding/json.
type Level string

var _ encoding.TextUnmarshaler = (*Level)(nil)

func (l *Level) UnmarshalText(b []byte) error {
	*l = Level(b)
	return nil
}

// In a test, check that a payload type decodes fast: nil means the
// library's decoder (or the type's own UnmarshalJSON) decodes it.
func ExampleFastJSON() {
	type Order struct {
		ID      string           `json:"id"`
		Created time.Time        `json:"created"`
		Level   Level            `json:"level"`
		Items   []map[string]any `json:"items"`
	}
	type Report struct {
		Counts map[Level]int `json:"counts"`
	}
	fmt.Println(batchtest.FastJSON[Order]())
	fmt.Println(batchtest.FastJSON[Report]())
	// Output:
	// <nil>
	// payload type batchtest_test.Report: map key type batchtest_test.Level implements encoding.TextUnmarshaler (at .counts)
}
