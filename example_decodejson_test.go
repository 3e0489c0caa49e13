package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// A decoder given to DecodeJSON reads the record's JSON when Invoke has it
// (and then the record's images are not built for it), the record itself
// otherwise. dynamodbav's decoders work this way; this one takes the
// status attribute of the new image.
func ExampleSource_DecodeJSON() {
	status := func(rec events.DynamoDBEventRecord, raw []byte, v any) error {
		img := rec.Change.NewImage
		if raw != nil {
			var r struct {
				Dynamodb struct {
					NewImage map[string]events.DynamoDBAttributeValue
				}
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			img = r.Dynamodb.NewImage
		}
		s, ok := img["status"]
		if !ok {
			return batch.ErrNoPayload
		}
		*v.(*string) = s.String()
		return nil
	}
	fn := batch.New(batch.DynamoDB().DecodeJSON(status), func(ctx context.Context, s string) error {
		if s != "paid" {
			return errors.New("unpaid")
		}
		return nil
	}, batch.Options{})

	out, err := fn.Invoke(context.Background(), []byte(`{"Records":[
		{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1","NewImage":{"status":{"S":"paid"}}}},
		{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"2","NewImage":{"status":{"S":"open"}}}}]}`))
	fmt.Println(string(out), err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"2"}]} <nil>
}
