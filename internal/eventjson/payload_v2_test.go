//go:build goexperiment.jsonv2

package eventjson_test

import (
	"reflect"
	"testing"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// With GOEXPERIMENT=jsonv2, encoding/json follows encoding/json/v2's rules,
// which the payload decoder does not: it leaves every type to encoding/json
// (the payload tests of the other files need the decoder, and do not run).
func TestPayloadDecoderStandsAsideForJSONv2(t *testing.T) {
	if _, err := eventjson.PlanFor(reflect.TypeOf(struct{ A int }{})); err == nil {
		t.Fatal("got a Plan, want an error: encoding/json follows other rules with GOEXPERIMENT=jsonv2")
	}
}
