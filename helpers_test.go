package batch_test

// Helpers shared by the tests of this package. Define new shared helpers
// here, not in the file that first needs them.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// rec is the record type of the engine tests: an identifier, an ordering
// key, and what the handler must do with it.
type rec struct {
	ID, Key string
	Do      string // "ok", "fail", "panic", "panic-error", "block" (until ctx is done)
}

var errAsked = errors.New("asked to fail")

// doRecord does what r asks.
func doRecord(ctx context.Context, r rec) error {
	switch r.Do {
	case "fail":
		return fmt.Errorf("record %s: %w", r.ID, errAsked)
	case "panic":
		panic("boom " + r.ID)
	case "panic-error":
		panic(errAsked)
	case "block":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// recs returns records r0, r1, … doing what spec says, without keys.
func recs(spec ...string) []rec {
	out := make([]rec, len(spec))
	for i, s := range spec {
		out[i] = rec{ID: fmt.Sprintf("r%d", i), Do: s}
	}
	return out
}

// recID and recKey describe rec to batch.Records.
func recID(r rec) string  { return r.ID }
func recKey(r rec) string { return r.Key }

// sqsEvent returns an SQS event of a standard queue whose messages m0, m1, …
// have the given bodies.
func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      fmt.Sprintf("m%d", i),
			Body:           b,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q",
		})
	}
	return ev
}

// sqsDo does what the message's body asks (see rec).
func sqsDo(ctx context.Context, m events.SQSMessage) error {
	return doRecord(ctx, rec{ID: m.MessageId, Do: m.Body})
}

// failedIDs returns the identifiers of an SQS response, never nil.
func failedIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// printJSON prints v as JSON, for examples.
func printJSON(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(string(data))
}

// jsonEncoder returns the encoder lambda.Start uses for responses.
func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// readJSON decodes the file testdata/name into v.
func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

// benchEvent returns an SQS event of n messages with a ~200-byte JSON body.
func benchEvent(n int) events.SQSEvent {
	body := `{"orderId":"o-123456","customer":"c-98765","items":[{"sku":"A-1","qty":2,"price":1999},{"sku":"B-22","qty":1,"price":4999}],"currency":"EUR","note":"leave at the door, ring twice please, thank you","ts":1732262400}`
	ev := events.SQSEvent{Records: make([]events.SQSMessage, n)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:      fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
			Body:           body,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
		}
	}
	return ev
}

func reportNsPerRecord(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

// perRecord runs the benchmark loop body f b.N times and reports ns/record
// and allocs/record besides the usual per-call figures. allocs/record counts
// every heap allocation of the call, fixed costs included, divided by n.
func perRecord(b *testing.B, n int, f func()) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	reportNsPerRecord(b, n)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*n), "allocs/record")
}
