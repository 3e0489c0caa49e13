package dynamodbav_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

// A handler that keeps a string of every item across invocations (a cache
// of a warm function) keeps that item's strings reachable at most, never
// the event: decoding from the event's JSON copies what it decodes.
func TestKeptStringsDoNotRetainTheEvent(t *testing.T) {
	const records, invocations = 100, 20
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := 0; i < records; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventID":"%d","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"pk":{"S":"p#%04d"}},`+
			`"NewImage":{"pk":{"S":"p#%04d"},"name":{"S":"a lamp with a long description, number %d"},"stock":{"N":"%d"},"tags":{"SS":["blue","desk"]},`+
			`"parts":{"L":[{"M":{"sku":{"S":"bulb-%d"},"qty":{"N":"2"}}}]}},"SequenceNumber":"%d","StreamViewType":"NEW_IMAGE"}}`, i, i, i, i, i, i, 1000+i)
	}
	b.WriteString(`]}`)
	payload := []byte(b.String())

	var kept []string
	fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.NewImage), func(_ context.Context, c dynamodbav.Change[item]) error {
		kept = append(kept, c.New.PK)
		return nil
	}, batch.Options{})
	kept = make([]string, 0, records*invocations)

	buf := make([]byte, len(payload))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < invocations; i++ {
		copy(buf, payload) // one buffer reused, as aws-lambda-go does
		if _, err := fn.Invoke(context.Background(), buf); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(kept) != records*invocations || kept[0] != "p#0000" {
		t.Fatalf("kept %d strings, first %q; want %d, the first p#0000", len(kept), kept[0], records*invocations)
	}
	perKept := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(len(kept))
	// An image's strings are about 80 bytes here; an event is 40 KB.
	if perKept > 256 {
		t.Errorf("each kept string keeps %d bytes reachable, want at most 256 (its image's strings)", perKept)
	}
	runtime.KeepAlive(kept)
	t.Logf("%d bytes reachable per kept string", perKept)
}
