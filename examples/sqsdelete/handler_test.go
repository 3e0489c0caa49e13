package sqsdeleteexample_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	sqsdeleteexample "github.com/seed-45ee126e/batch/examples/sqsdelete"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

// deleter stands in for the *sqs.Client: it records the receipt handles it
// is asked to delete and reports every entry deleted.
type deleter struct {
	mu      sync.Mutex
	queues  []string
	handles []string
}

func (d *deleter) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := &sqs.DeleteMessageBatchOutput{}
	d.queues = append(d.queues, aws.ToString(in.QueueUrl))
	for _, e := range in.Entries {
		d.handles = append(d.handles, aws.ToString(e.ReceiptHandle))
		out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// The sample batch has two invoices that book, one with a zero amount and
// one whose body is cut short: the function deletes the first two and
// returns an error naming the other two, which Lambda returns to the queue.
func TestSampleBatchDeletesBookedInvoicesAndNamesTheOthers(t *testing.T) {
	event, err := os.ReadFile("events/event.json")
	if err != nil {
		t.Fatal(err)
	}
	client := &deleter{}
	_, err = sqsdeleteexample.New(client).Invoke(context.Background(), event)

	var e *sqsdelete.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want an *sqsdelete.Error", err)
	}
	var failed []string
	for _, re := range e.Failed {
		failed = append(failed, re.ID)
	}
	wantFailed := []string{"2d6c7e4a-8b5f-4f57-b1f2-6a3e9c0d4e02", "71c0d9e8-3a6b-4e25-9d14-c8f3b2a1e604"}
	if !slices.Equal(failed, wantFailed) {
		t.Errorf("got failed %v, want %v", failed, wantFailed)
	}
	if len(e.NotDeleted) != 0 {
		t.Errorf("got %d not deleted, want 0", len(e.NotDeleted))
	}

	var ev events.SQSEvent
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	wantHandles := []string{ev.Records[0].ReceiptHandle, ev.Records[2].ReceiptHandle}
	slices.Sort(client.handles)
	slices.Sort(wantHandles)
	if !slices.Equal(client.handles, wantHandles) {
		t.Errorf("got deletes of %v, want %v", client.handles, wantHandles)
	}
	if want := "https://sqs.eu-west-1.amazonaws.com/123456789012/invoices"; len(client.queues) != 1 || client.queues[0] != want {
		t.Errorf("got DeleteMessageBatch calls on %v, want one on %s", client.queues, want)
	}
}
