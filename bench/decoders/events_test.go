package decoders_test

import (
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The events of the benchmarks, shaped as those of the root module's
// BenchmarkInvoke (fastSQSEvent and fastDynamoDBEvent of
// invoke_bench_test.go).

func sqsEvent(n int, body func(i int) []byte) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, n)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:     fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i),
			ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/AbHhw/8JxdZZ5/S6zwj5x1HXxDAVIYwaoQzQkhHWJ6vHdVqNVe2SIvWqdNVbc1ZtOtCB8",
			Body:          string(body(i)),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          "1",
				"SentTimestamp":                    "1545082649183",
				"SenderId":                         "AIDAIENQZJOLO23YVJ4VO",
				"ApproximateFirstReceiveTimestamp": "1545082649185",
			},
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			Md5OfBody:         "e4e68fb7bd0e697a0ae8f1bb342846b3",
			EventSource:       "aws:sqs",
			EventSourceARN:    "arn:aws:sqs:us-east-2:123456789012:my-queue",
			AWSRegion:         "us-east-2",
		}
	}
	return ev
}

func dynamoDBImage(i int, status string) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{
		"pk":       events.NewStringAttribute(fmt.Sprintf("order#%08d", i)),
		"sk":       events.NewStringAttribute("v1"),
		"status":   events.NewStringAttribute(status),
		"total":    events.NewNumberAttribute("44.97"),
		"paid":     events.NewBooleanAttribute(status != "NEW"),
		"tags":     events.NewStringSetAttribute([]string{"gift", "express"}),
		"customer": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute("cust-4711"), "tier": events.NewStringAttribute("gold")}),
		"items": events.NewListAttribute([]events.DynamoDBAttributeValue{
			events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": events.NewStringAttribute("SKU-12345"), "qty": events.NewNumberAttribute("2")}),
			events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": events.NewStringAttribute("SKU-67890"), "qty": events.NewNumberAttribute("1")}),
		}),
	}
}

func dynamoDBEvent(n int) events.DynamoDBEvent {
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, n)}
	for i := range ev.Records {
		ev.Records[i] = events.DynamoDBEventRecord{
			AWSRegion:      "us-east-2",
			EventID:        fmt.Sprintf("c81e728d9d4c2f636f067f89cc14%04d", i%10000),
			EventName:      "MODIFY",
			EventSource:    "aws:dynamodb",
			EventVersion:   "1.1",
			EventSourceArn: "arn:aws:dynamodb:us-east-2:123456789012:table/orders/stream/2026-11-22T00:00:00.000",
			Change: events.DynamoDBStreamRecord{
				ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Unix(1732262400, 0)},
				Keys: map[string]events.DynamoDBAttributeValue{
					"pk": events.NewStringAttribute(fmt.Sprintf("order#%08d", i)),
					"sk": events.NewStringAttribute("v1"),
				},
				NewImage:       dynamoDBImage(i, "PAID"),
				OldImage:       dynamoDBImage(i, "NEW"),
				SequenceNumber: fmt.Sprintf("14054000000000030667%06d", i),
				SizeBytes:      412,
				StreamViewType: "NEW_AND_OLD_IMAGES",
			},
		}
	}
	return ev
}
