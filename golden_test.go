package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/internal/contract"
)

// The files in testdata hold events in the shape Lambda sends and the
// responses Lambda expects. In every event, a record fails when its payload
// has "fail": true; the response files list exactly those records.

// payload is the JSON carried by the records of the golden events.
type payload struct {
	Fail *bool `json:"fail"`
}

// failIfAsked fails when the JSON payload says so, and also when it is not
// the expected JSON, so that a decoding mistake cannot pass unnoticed.
func failIfAsked(data []byte) error {
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if p.Fail == nil {
		return errors.New("payload has no fail field")
	}
	if *p.Fail {
		return errors.New("asked to fail")
	}
	return nil
}

// assertSameJSON compares got, marshalled, with the JSON file want,
// semantically (key order and spacing do not matter).
func assertSameJSON(t *testing.T, got any, wantFile string) {
	t.Helper()
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	readJSON(t, wantFile, &w)
	if !reflect.DeepEqual(g, w) {
		wantData, _ := json.Marshal(w)
		t.Errorf("response\ngot  %s\nwant %s", data, wantData)
	}
}

func TestGoldenResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T) (any, error)
		want string
		// allFailed: every record fails, so the call must also return a
		// *BatchError (the response is filled in all the same).
		allFailed bool
	}{
		{"sqs standard queue reports the failed messages", func(t *testing.T) (any, error) {
			var ev events.SQSEvent
			readJSON(t, "sqs-event.json", &ev)
			return batch.New(batch.SQS(), sqsFailIfAsked, batch.Options{}).Handle(ctx, ev)
		}, "sqs-response.json", false},
		{"sqs standard queue with concurrency gives the same response", func(t *testing.T) (any, error) {
			var ev events.SQSEvent
			readJSON(t, "sqs-event.json", &ev)
			return batch.New(batch.SQS(), sqsFailIfAsked, batch.Options{Concurrency: 3}).Handle(ctx, ev)
		}, "sqs-response.json", false},
		{"sqs fifo queue stops at the first failure", func(t *testing.T) (any, error) {
			var ev events.SQSEvent
			readJSON(t, "sqs-fifo-event.json", &ev)
			return batch.New(batch.SQS(), sqsFailIfAsked, batch.Options{}).Handle(ctx, ev)
		}, "sqs-fifo-response.json", true},
		{"sqs fifo queue with skip-group skips only the failed groups", func(t *testing.T) (any, error) {
			var ev events.SQSEvent
			readJSON(t, "sqs-fifo-event.json", &ev)
			return batch.New(batch.SQS(), sqsFailIfAsked, batch.Options{SkipGroupOnError: true, Concurrency: 2}).Handle(ctx, ev)
		}, "sqs-fifo-skipgroup-response.json", false},
		{"kinesis reports failed sequence numbers", func(t *testing.T) (any, error) {
			var ev events.KinesisEvent
			readJSON(t, "kinesis-event.json", &ev)
			return batch.New(batch.Kinesis(), kinesisFailIfAsked, batch.Options{}).Handle(ctx, ev)
		}, "kinesis-response.json", false},
		{"dynamodb reports failed sequence numbers", func(t *testing.T) (any, error) {
			var ev events.DynamoDBEvent
			readJSON(t, "dynamodb-event.json", &ev)
			return batch.New(batch.DynamoDB(), dynamoDBFailIfAsked, batch.Options{Concurrency: 4}).Handle(ctx, ev)
		}, "dynamodb-response.json", false},
		{"kafka reports topic-partition and offset objects", func(t *testing.T) (any, error) {
			var ev events.KafkaEvent
			readJSON(t, "kafka-event.json", &ev)
			return batch.New(batch.Kafka(), kafkaFailIfAsked, batch.Options{}).Handle(ctx, ev)
		}, "kafka-response.json", false},
		{"kafka with skip-group stops each partition at its first failure", func(t *testing.T) (any, error) {
			var ev events.KafkaEvent
			readJSON(t, "kafka-event.json", &ev)
			return batch.New(batch.Kafka(), kafkaFailIfAsked, batch.Options{SkipGroupOnError: true, Concurrency: 2}).Handle(ctx, ev)
		}, "kafka-skipgroup-response.json", false},
		{"no failure gives an empty list", func(t *testing.T) (any, error) {
			var ev events.SQSEvent
			readJSON(t, "sqs-event.json", &ev)
			return batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{}).Handle(ctx, ev)
		}, "empty-response.json", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.run(t)
			var be *batch.BatchError
			switch {
			case tt.allFailed && !errors.As(err, &be):
				t.Errorf("got error %v, want a *batch.BatchError", err)
			case !tt.allFailed && err != nil:
				t.Errorf("got error %v, want nil", err)
			}
			assertSameJSON(t, resp, tt.want)
		})
	}
}

func sqsFailIfAsked(_ context.Context, m events.SQSMessage) error {
	return failIfAsked([]byte(m.Body))
}

func kinesisFailIfAsked(_ context.Context, r events.KinesisEventRecord) error {
	return failIfAsked(r.Kinesis.Data)
}

// dynamoDBFailIfAsked fails when the record's image has "fail": true.
func dynamoDBFailIfAsked(_ context.Context, r events.DynamoDBEventRecord) error {
	img := r.Change.NewImage
	if r.EventName == "REMOVE" {
		img = r.Change.OldImage
	}
	f, ok := img["fail"]
	if !ok || f.DataType() != events.DataTypeBoolean {
		return errors.New("image has no boolean fail attribute")
	}
	if f.Boolean() {
		return errors.New("asked to fail")
	}
	return nil
}

func kafkaFailIfAsked(_ context.Context, r events.KafkaRecord) error {
	data, err := base64Decode(r.Value)
	if err != nil {
		return err
	}
	return failIfAsked(data)
}

// TestGoldenFilesMatchLambdaTypes checks that every field of the golden
// files is one aws-lambda-go knows, spelled as it expects: decoding into its
// types and encoding again must give back the same JSON.
func TestGoldenFilesMatchLambdaTypes(t *testing.T) {
	tests := []struct {
		file string
		v    any
	}{
		{"sqs-event.json", &events.SQSEvent{}},
		{"sqs-fifo-event.json", &events.SQSEvent{}},
		{"kinesis-event.json", &events.KinesisEvent{}},
		{"dynamodb-event.json", &events.DynamoDBEvent{}},
		{"kafka-event.json", &events.KafkaEvent{}},
		{"sqs-response.json", &events.SQSEventResponse{}},
		{"sqs-fifo-response.json", &events.SQSEventResponse{}},
		{"sqs-fifo-skipgroup-response.json", &events.SQSEventResponse{}},
		{"kinesis-response.json", &events.KinesisEventResponse{}},
		{"dynamodb-response.json", &events.DynamoDBEventResponse{}},
		{"kafka-response.json", &batch.KafkaEventResponse{}},
		{"kafka-skipgroup-response.json", &batch.KafkaEventResponse{}},
		{"empty-response.json", &events.SQSEventResponse{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			readJSON(t, tt.file, tt.v)
			assertSameJSONModuloTime(t, tt.v, tt.file)
		})
	}
}

// assertSameJSONModuloTime checks that encoding got gives back the JSON file
// wantFile: every field of the file survives with its value, and fields the
// file does not have are encoded as zero values. Numbers are compared to the
// millisecond, because aws-lambda-go encodes some timestamps with another
// precision than Lambda sends (Kinesis approximateArrivalTimestamp).
func assertSameJSONModuloTime(t *testing.T, got any, wantFile string) {
	t.Helper()
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	readJSON(t, wantFile, &w)
	if diff := jsonDiff("", g, w); diff != "" {
		t.Errorf("re-encoded %s differs: %s", wantFile, diff)
	}
}

// jsonDiff returns "" when a and b are equal decoded JSON values, numbers
// within a millisecond; otherwise it names the first difference.
func jsonDiff(path string, a, b any) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return path + ": got an object, want " + keysAny(b)
		}
		for k := range bv {
			if _, known := av[k]; !known {
				return path + "." + k + ": field lost in decoding (unknown to aws-lambda-go)"
			}
		}
		for k := range av {
			if _, inFile := bv[k]; !inFile {
				if !isZeroJSON(av[k]) {
					return path + "." + k + ": not in the file but decoded as " + fmt.Sprint(av[k])
				}
				continue
			}
			if d := jsonDiff(path+"."+k, av[k], bv[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return path + ": lists differ"
		}
		for i := range av {
			if d := jsonDiff(path+"[]", av[i], bv[i]); d != "" {
				return d
			}
		}
		return ""
	case float64:
		bv, ok := b.(float64)
		if !ok || av-bv > 0.001 || bv-av > 0.001 {
			return path + ": numbers differ"
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return path + ": values differ"
	}
	return ""
}

// isZeroJSON reports whether v is what encoding/json writes for a zero
// field: "", 0, false, null, or an empty list or object.
func isZeroJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func keysAny(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return "a non-object"
	}
	data, _ := json.Marshal(sortedKeys(m))
	return "an object with " + string(data)
}

// TestResponsesMeetLambdaContract reads each golden response, and the bytes
// the fast handler writes for each golden event, with internal/contract,
// whose rules come from the AWS documentation and Powertools rather than
// from this library's encoders: every response must be one Lambda accepts,
// reporting exactly the records the golden file lists. The fast handler is
// Function.Invoke, what lambda.Start calls.
func TestResponsesMeetLambdaContract(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		src      contract.Source
		event    string
		response string
		ids      func(t *testing.T) []string
		invoke   func(ctx context.Context, payload []byte) ([]byte, error)
	}{
		{contract.SQS, "sqs-event.json", "sqs-response.json", func(t *testing.T) []string {
			var ev events.SQSEvent
			readJSON(t, "sqs-event.json", &ev)
			var ids []string
			for _, m := range ev.Records {
				ids = append(ids, m.MessageId)
			}
			return ids
		}, batch.New(batch.SQS(), sqsFailIfAsked, batch.Options{}).Invoke},
		{contract.Kinesis, "kinesis-event.json", "kinesis-response.json", func(t *testing.T) []string {
			var ev events.KinesisEvent
			readJSON(t, "kinesis-event.json", &ev)
			var ids []string
			for _, r := range ev.Records {
				ids = append(ids, r.Kinesis.SequenceNumber)
			}
			return ids
		}, batch.New(batch.Kinesis(), kinesisFailIfAsked, batch.Options{}).Invoke},
		{contract.DynamoDB, "dynamodb-event.json", "dynamodb-response.json", func(t *testing.T) []string {
			var ev events.DynamoDBEvent
			readJSON(t, "dynamodb-event.json", &ev)
			var ids []string
			for _, r := range ev.Records {
				ids = append(ids, r.Change.SequenceNumber)
			}
			return ids
		}, batch.New(batch.DynamoDB(), dynamoDBFailIfAsked, batch.Options{}).Invoke},
		{contract.Kafka, "kafka-event.json", "kafka-response.json", func(t *testing.T) []string {
			var ev events.KafkaEvent
			readJSON(t, "kafka-event.json", &ev)
			var ids []string
			for tp, recs := range ev.Records {
				for _, r := range recs {
					ids = append(ids, contract.KafkaID(tp, r.Offset))
				}
			}
			return ids
		}, batch.New(batch.Kafka(), kafkaFailIfAsked, batch.Options{}).Invoke},
	}
	for _, tt := range tests {
		t.Run(tt.src.String(), func(t *testing.T) {
			ids := tt.ids(t)
			golden, err := os.ReadFile(filepath.Join("testdata", tt.response))
			if err != nil {
				t.Fatal(err)
			}
			want, why := contract.Check(tt.src, golden, ids)
			if why != "" {
				t.Fatalf("%s: Lambda would fail the whole batch: %s", tt.response, why)
			}
			if len(want) == 0 {
				t.Fatalf("%s reports no record; the test needs failures", tt.response)
			}
			payload, err := os.ReadFile(filepath.Join("testdata", tt.event))
			if err != nil {
				t.Fatal(err)
			}
			out, err := tt.invoke(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			got, why := contract.Check(tt.src, out, ids)
			if why != "" {
				t.Fatalf("fast handler response %s: Lambda would fail the whole batch: %s", out, why)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("fast handler reports records %v, golden file %v", got, want)
			}
		})
	}
}

// The Kafka identifier is {"partition": "<topic>-<partition>", "offset": N}:
// the schema of the AWS page "Configuring error handling controls for Kafka
// event sources" (PartialBatchResponse), and the shape Powertools for AWS
// Lambda (Python) asserts in its Kafka batch tests,
// {"partition": "mytopic-0", "offset": 1}.
func TestKafkaIdentifierShape(t *testing.T) {
	resp := batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{
		{ItemIdentifier: batch.KafkaItemIdentifier{Partition: "mytopic-0", Offset: 1}},
	}}
	got, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"batchItemFailures":[{"itemIdentifier":{"partition":"mytopic-0","offset":1}}]}`
	if string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
