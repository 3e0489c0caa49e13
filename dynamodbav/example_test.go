package dynamodbav_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

// product is the item of the examples, tagged as for attributevalue.
type product struct {
	SKU   string `dynamodbav:"pk"`
	Stock int    `dynamodbav:"stock"`
}

// streamEvent is a DynamoDB Streams event as Lambda delivers it, with a
// NEW_AND_OLD_IMAGES view type: an INSERT, a MODIFY and a REMOVE.
const streamEvent = `{"Records": [
	{"eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": {"SequenceNumber": "111",
		"Keys": {"pk": {"S": "lamp"}},
		"NewImage": {"pk": {"S": "lamp"}, "stock": {"N": "5"}}}},
	{"eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": {"SequenceNumber": "222",
		"Keys": {"pk": {"S": "lamp"}},
		"OldImage": {"pk": {"S": "lamp"}, "stock": {"N": "5"}},
		"NewImage": {"pk": {"S": "lamp"}, "stock": {"N": "3"}}}},
	{"eventName": "REMOVE", "eventSource": "aws:dynamodb", "dynamodb": {"SequenceNumber": "333",
		"Keys": {"pk": {"S": "lamp"}},
		"OldImage": {"pk": {"S": "lamp"}, "stock": {"N": "3"}}}}
]}`

func exampleEvent() events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal([]byte(streamEvent), &ev); err != nil {
		panic(err)
	}
	return ev
}

// NewImage decodes each record's new image into the item type; a REMOVE
// has none.
func ExampleNewImage() {
	fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.NewImage), func(ctx context.Context, c dynamodbav.Change[product]) error {
		if c.New == nil {
			fmt.Println(c.EventName, "no new image")
			return nil
		}
		fmt.Println(c.EventName, c.New.SKU, c.New.Stock)
		return nil
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), exampleEvent())
	fmt.Println(len(resp.BatchItemFailures), err)
	// Output:
	// INSERT lamp 5
	// MODIFY lamp 3
	// REMOVE no new image
	// 0 <nil>
}

// OldImage decodes each record's old image, here to archive deleted items.
func ExampleOldImage() {
	fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.OldImage), func(ctx context.Context, c dynamodbav.Change[product]) error {
		if c.EventName == events.DynamoDBOperationTypeRemove {
			fmt.Println("archive", c.Old.SKU, "with stock", c.Old.Stock)
		}
		return nil
	}, batch.Options{})
	_, err := fn.Handle(context.Background(), exampleEvent())
	fmt.Println(err)
	// Output:
	// archive lamp with stock 3
	// <nil>
}

// Images decodes both images, for a stream of view type NEW_AND_OLD_IMAGES.
func ExampleImages() {
	fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.Images), func(ctx context.Context, c dynamodbav.Change[product]) error {
		switch {
		case c.Old == nil:
			fmt.Println("created", c.New.SKU)
		case c.New == nil:
			fmt.Println("deleted", c.Old.SKU)
		default:
			fmt.Printf("%s stock %d -> %d (seq %s)\n", c.New.SKU, c.Old.Stock, c.New.Stock, c.Record.Change.SequenceNumber)
		}
		return nil
	}, batch.Options{})
	_, err := fn.Handle(context.Background(), exampleEvent())
	fmt.Println(err)
	// Output:
	// created lamp
	// lamp stock 5 -> 3 (seq 222)
	// deleted lamp
	// <nil>
}

func ExampleAttributeValues() {
	keys := map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("lamp")}
	av, err := dynamodbav.AttributeValues(keys)
	if err != nil {
		fmt.Println(err)
		return
	}
	// av can be passed to the DynamoDB client, for example as the Key of a
	// GetItemInput.
	fmt.Println(av["pk"].(*types.AttributeValueMemberS).Value)
	// Output:
	// lamp
}
