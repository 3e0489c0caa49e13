package idempotency_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/idempotency"
)

// message is an SQS message of the examples.
func message(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders"}
}

// An SQS standard queue delivers a message twice: the second delivery is
// skipped, and succeeds. In a Lambda function the store is a
// DynamoDBStore, shared by every invocation; a MemoryStore serves this
// example.
func ExampleHandler() {
	store := &idempotency.MemoryStore{}
	handle := func(ctx context.Context, o Order) error {
		fmt.Println("shipping", o.ID)
		return nil
	}
	fn := batch.New(batch.SQS(), idempotency.Handler(store, handle, nil, idempotency.Options{}), batch.Options{})

	first := events.SQSEvent{Records: []events.SQSMessage{message("m1", `{"id":"o-1"}`), message("m2", `{"id":"o-2"}`)}}
	again := events.SQSEvent{Records: []events.SQSMessage{message("m2", `{"id":"o-2"}`), message("m3", `{"id":"o-3"}`)}}
	for _, ev := range []events.SQSEvent{first, again} {
		resp, err := fn.Handle(context.Background(), ev)
		fmt.Println("failures:", len(resp.BatchItemFailures), err)
	}
	// Output:
	// shipping o-1
	// shipping o-2
	// failures: 0 <nil>
	// shipping o-3
	// failures: 0 <nil>
}

// A key from the payload catches a producer that sent the same order
// twice, in two messages with two messageIds. The same key with another
// payload is a mistake that retrying cannot fix: a MismatchError.
func ExampleHandler_keyFromPayload() {
	store := &idempotency.MemoryStore{}
	handle := func(ctx context.Context, o Order) error {
		fmt.Println("shipping", o.ID, o.Qty)
		return nil
	}
	orderID := func(o Order) string { return o.ID }
	fn := batch.New(batch.SQS(), idempotency.Handler(store, handle, orderID, idempotency.Options{Prefix: "orders#"}), batch.Options{})

	ev := events.SQSEvent{Records: []events.SQSMessage{
		message("m1", `{"id":"o-1","qty":2}`),
		message("m2", `{"id":"o-1","qty":2}`), // sent twice
		message("m3", `{"id":"o-1","qty":5}`), // the id reused
	}}
	resp, rep := fn.Process(context.Background(), ev)
	for _, r := range rep.Results {
		fmt.Println(r.ID, r.Outcome, r.Err)
	}
	fmt.Println("retry:", resp.BatchItemFailures)
	// Output:
	// shipping o-1 2
	// m1 succeeded <nil>
	// m2 succeeded <nil>
	// m3 failed idempotency: key "orders#o-1" was used before with a different payload
	// retry: [{m3}]
}

// printingDynamoDB stands in for a *dynamodb.Client in the example: it
// prints each call and succeeds.
type printingDynamoDB struct{}

func (printingDynamoDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	fmt.Printf("PutItem %s if %s\n", aws.ToString(in.TableName), aws.ToString(in.ConditionExpression))
	return &dynamodb.PutItemOutput{}, nil
}

func (printingDynamoDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	fmt.Printf("GetItem %s\n", aws.ToString(in.TableName))
	return &dynamodb.GetItemOutput{}, nil
}

func (printingDynamoDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	fmt.Printf("UpdateItem %s: %s if %s\n", aws.ToString(in.TableName), aws.ToString(in.UpdateExpression), aws.ToString(in.ConditionExpression))
	return &dynamodb.UpdateItemOutput{}, nil
}

func (printingDynamoDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	fmt.Printf("DeleteItem %s if %s\n", aws.ToString(in.TableName), aws.ToString(in.ConditionExpression))
	return &dynamodb.DeleteItemOutput{}, nil
}

// The DynamoDB calls of one record that succeeds: a conditional PutItem
// claims the key, and an UpdateItem completes it. In a function the client
// is dynamodb.NewFromConfig(cfg), with cfg from config.LoadDefaultConfig.
func ExampleNewDynamoDBStore() {
	store := idempotency.NewDynamoDBStore(printingDynamoDB{}, idempotency.Table{Name: "idempotency"})
	fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error {
		return nil
	}, nil, idempotency.Options{}), batch.Options{})
	_, _ = fn.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message("m1", `{"id":"o-1"}`)}})
	// Output:
	// PutItem idempotency if attribute_not_exists(#k) OR #exp <= :now OR (#st = :inprogress AND #lock <= :nowms)
	// UpdateItem idempotency: SET #st = :completed, #exp = :exp REMOVE #lock if #own = :owner
}

// printingStore is a Store that prints each Begin before passing it on.
type printingStore struct{ idempotency.Store }

func (s printingStore) Begin(ctx context.Context, key string, it idempotency.Item, now time.Time) (idempotency.Item, bool, error) {
	fmt.Println("store: Begin", key)
	return s.Store.Begin(ctx, key, it, now)
}

// A cache in front of the store answers for the keys this process
// completed: a batch delivered again costs no call to the store.
func ExampleCached() {
	store := idempotency.Cached(printingStore{&idempotency.MemoryStore{}}, 1000)
	fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error {
		return nil
	}, nil, idempotency.Options{Prefix: "fn#"}), batch.Options{})
	ev := events.SQSEvent{Records: []events.SQSMessage{message("m1", `{"id":"o-1"}`)}}
	for i := 0; i < 3; i++ {
		_, _ = fn.Handle(context.Background(), ev)
	}
	// Output:
	// store: Begin fn#sqs:m1
}
