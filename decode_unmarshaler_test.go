package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// selfDecoding decodes itself, as a type with a generated decoder does. It
// keeps the bytes it was given so that tests can see them.
type selfDecoding struct {
	ID  string `json:"id"`
	raw string
}

var errSelfDecoding = errors.New("self-decoding: not an object")

func (s *selfDecoding) UnmarshalJSON(b []byte) error {
	s.raw = string(b)
	if len(b) == 0 || b[0] != '{' {
		return errSelfDecoding
	}
	type plain selfDecoding // no UnmarshalJSON: no recursion
	return json.Unmarshal(b, (*plain)(s))
}

func (s selfDecoding) Validate() error {
	if s.ID == "" {
		return errors.New("id is required")
	}
	return nil
}

func TestTypedFunctionCallsTheTypesOwnDecoder(t *testing.T) {
	ev := sqsEvent(" \t{\"id\":\"a\"}\n", `[1]`, `{"id":""}`, `null`, ``)
	var got []selfDecoding
	fn := batch.New(batch.SQS(), func(_ context.Context, v selfDecoding) error {
		got = append(got, v)
		return nil
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "a" || got[0].raw != `{"id":"a"}` {
		t.Fatalf("handler got %+v, want one value with id a, decoded from the payload without its white space", got)
	}
	if want := []string{"m1", "m2", "m3", "m4"}; !equalStrings(failedIDs(resp), want) {
		t.Fatalf("got failures %v, want %v", failedIDs(resp), want)
	}

	// The type's own error is the decode error; Validate still runs; null
	// and empty payloads are rejected before the type sees them.
	_, rep := batch.New(batch.SQS(), func(context.Context, selfDecoding) error { return nil }, batch.Options{}).Process(context.Background(), ev)
	var de *batch.DecodeError
	if r := rep.Results[1]; !errors.As(r.Err, &de) || !errors.Is(r.Err, errSelfDecoding) {
		t.Errorf("record 1: got %v, want a *DecodeError wrapping the type's error", r.Err)
	}
	var ve *batch.ValidationError
	if r := rep.Results[2]; !errors.As(r.Err, &ve) {
		t.Errorf("record 2: got %v, want a *ValidationError", r.Err)
	}
	for _, i := range []int{3, 4} {
		if r := rep.Results[i]; !errors.As(r.Err, &de) || errors.Is(r.Err, errSelfDecoding) {
			t.Errorf("record %d: got %v, want a *DecodeError raised before the type's decoder", i, r.Err)
		}
	}
}

// BenchmarkSelfDecodingPayload compares a type that decodes itself through
// a Function's default decoder (one call of its method) with json.Unmarshal
// of the same type by hand (a validating scan, then the same call).
//
//	go test -run '^$' -bench SelfDecodingPayload -benchmem -count 5 .
func BenchmarkSelfDecodingPayload(b *testing.B) {
	const n = 1000
	ev := benchEvent(n)
	for i := range ev.Records {
		ev.Records[i].Body = fmt.Sprintf(`{"id":"o-%06d","customer":"c-98765","items":[{"sku":"A-1","qty":2,"price":1999},{"sku":"B-22","qty":1,"price":4999}],"currency":"EUR","note":"leave at the door, ring twice please, thank you","ts":1732262400}`, i)
	}
	b.Run("handwritten-json.Unmarshal", func(b *testing.B) {
		perRecord(b, n, func() {
			resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
			for _, m := range ev.Records {
				var v selfDecoding
				if err := json.Unmarshal([]byte(m.Body), &v); err != nil || v.Validate() != nil {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
		})
	})
	b.Run("library-Function.Handle", func(b *testing.B) {
		fn := batch.New(batch.SQS(), func(context.Context, selfDecoding) error { return nil }, batch.Options{})
		perRecord(b, n, func() {
			if _, err := fn.Handle(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		})
	})
}
