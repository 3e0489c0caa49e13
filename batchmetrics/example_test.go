package batchmetrics_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchmetrics"
)

// A Lambda handler that returns the partial batch response and writes one
// EMF line per invocation. Lambda sends standard output to CloudWatch Logs,
// which turns the line into the metrics Records, Succeeded, Failed,
// NotProcessed and Duration of namespace "Orders", dimension Queue.
func Example() {
	emf := batchmetrics.EMF{
		Namespace:  "Orders",
		Dimensions: []batchmetrics.Dimension{{Name: "Queue", Value: "orders.fifo"}},
	}
	handle := func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("invalid order")
		}
		return nil
	}
	fn := batch.New(batch.SQS(), handle, batch.Options{})
	now := func() time.Time { return time.UnixMilli(1700000000000) } // time.Now in real code
	lambdaHandler := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		start := now()
		resp, rep := fn.Process(ctx, ev)
		s := batchmetrics.Summarize(rep)
		s.Duration = 42 * time.Millisecond // time.Since(start) in real code
		_ = emf.Write(os.Stdout, s, start)
		return resp, rep.Err
	}

	arn := "arn:aws:sqs:eu-west-1:123456789012:orders.fifo"
	resp, _ := lambdaHandler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok", EventSourceARN: arn},
		{MessageId: "m2", Body: "bad", EventSourceARN: arn},
		{MessageId: "m3", Body: "ok", EventSourceARN: arn},
	}})
	fmt.Println(len(resp.BatchItemFailures), "to retry")
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"Orders","Dimensions":[["Queue"]],"Metrics":[{"Name":"Records","Unit":"Count"},{"Name":"Succeeded","Unit":"Count"},{"Name":"Failed","Unit":"Count"},{"Name":"NotProcessed","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}]}]},"Queue":"orders.fifo","Records":3,"Succeeded":1,"Failed":1,"NotProcessed":1,"Duration":42}
	// 2 to retry
}

func ExampleSummarize() {
	records := []string{"a", "b", "c"}
	fn := batch.New(batch.Records(func(s string) string { return s }, nil),
		func(_ context.Context, s string) error {
			if s == "b" {
				return errors.New("boom")
			}
			return nil
		}, batch.Options{StopOnFirstFailure: true})
	_, rep := fn.Process(context.Background(), records)
	fmt.Printf("%+v\n", batchmetrics.Summarize(rep))
	// Output:
	// {Records:3 Succeeded:1 Failed:1 NotProcessed:1 Diverted:0 Duration:0s}
}

func ExampleEMF_Write() {
	emf := batchmetrics.EMF{Namespace: "Clicks"}
	_ = emf.Write(os.Stdout, batchmetrics.Summary{Records: 2, Succeeded: 2}, time.UnixMilli(1700000000000))
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"Clicks","Dimensions":[[]],"Metrics":[{"Name":"Records","Unit":"Count"},{"Name":"Succeeded","Unit":"Count"},{"Name":"Failed","Unit":"Count"},{"Name":"NotProcessed","Unit":"Count"}]}]},"Records":2,"Succeeded":2,"Failed":0,"NotProcessed":0}
}

// AppendLine writes into a buffer of the caller's, for a logger or writer
// that takes bytes; the line is the one Write would write.
func ExampleEMF_AppendLine() {
	emf := batchmetrics.EMF{Namespace: "Orders", Dimensions: []batchmetrics.Dimension{{Name: "Queue", Value: "orders"}}}
	line, err := emf.AppendLine(nil, batchmetrics.Summary{Records: 3, Succeeded: 2, Failed: 1}, time.UnixMilli(1700000000000))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(line))
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"Orders","Dimensions":[["Queue"]],"Metrics":[{"Name":"Records","Unit":"Count"},{"Name":"Succeeded","Unit":"Count"},{"Name":"Failed","Unit":"Count"},{"Name":"NotProcessed","Unit":"Count"}]}]},"Queue":"orders","Records":3,"Succeeded":2,"Failed":1,"NotProcessed":0}
}
