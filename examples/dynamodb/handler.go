// Package dynamodbexample is a Lambda function that reacts to changes of an
// Orders table through DynamoDB Streams: it announces shipped orders and
// refuses to forget orders that were deleted while still open.
package dynamodbexample

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// New returns the Lambda function, which handles up to 4 items at once;
// the changes of one item stay in order: lambda.Start(dynamodbexample.New()).
func New() *batch.Function[events.DynamoDBEvent, events.DynamoDBEventRecord, events.DynamoDBEventResponse] {
	return batch.New(batch.DynamoDB(), change, batch.Options{Concurrency: 4})
}

func change(ctx context.Context, r events.DynamoDBEventRecord) error {
	switch r.EventName {
	case "INSERT", "MODIFY":
		if status(r.Change.NewImage) == "SHIPPED" && status(r.Change.OldImage) != "SHIPPED" {
			return nil // notify the customer here, with ctx
		}
		return nil
	case "REMOVE":
		if s := status(r.Change.OldImage); s != "CANCELLED" {
			return fmt.Errorf("order %s deleted while %s", attr(r.Change.Keys, "orderId"), s)
		}
		return nil
	}
	return fmt.Errorf("unknown event %q", r.EventName)
}

func status(img map[string]events.DynamoDBAttributeValue) string { return attr(img, "status") }

// attr returns a string attribute, or "" when it is absent or not a string
// (DynamoDBAttributeValue.String panics on other types).
func attr(img map[string]events.DynamoDBAttributeValue, name string) string {
	v, ok := img[name]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}
