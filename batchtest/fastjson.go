package batchtest

import (
	"encoding/json"
	"reflect"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// FastJSON tells whether [batch.New] decodes JSON payloads of type T
// without encoding/json: it returns nil when they are decoded by the
// library's own decoder (the default), or by T's own UnmarshalJSON method;
// else an error naming the part of T that the library's decoder leaves to
// encoding/json, which then decodes the whole payload (correctly, at
// encoding/json's speed). [batch.Options] StdJSON asks for encoding/json
// whatever T is. Put it in a test to learn of a change that makes a
// payload type slow:
//
//	func TestOrderDecodesFast(t *testing.T) {
//		if err := batchtest.FastJSON[Order](); err != nil {
//			t.Error(err)
//		}
//	}
func FastJSON[T any]() error {
	if _, ok := any((*T)(nil)).(json.Unmarshaler); ok {
		return nil
	}
	_, err := eventjson.PlanFor(reflect.TypeOf((*T)(nil)).Elem())
	return err
}
