package eventjson_test

import (
	"encoding/json"
	"reflect"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// Retention test sizes: a warm function serving retentionInvocations
// events of retentionRecords records, keeping a small string of each record
// (a de-duplication cache, say). The volume makes the retained bytes of the
// old 16 KiB chunks (several KB per kept string) stand far above the noise
// of a heap measurement.
const (
	retentionInvocations = 2000
	retentionRecords     = 10
)

// retainedBound is how many bytes a kept string of n bytes may keep
// reachable beyond its own n: a chunk of an arena holds arenaChunk (4)
// strings of the string's class c (the power of two ≥ n, 16 at least), so
// it takes at most 4·c ≤ 8·n bytes, or 64 for a string of up to 16 bytes.
// The measured figure is far below, since the kept strings of one event
// share their chunks.
func retainedBound(n int) int { return 8*n + 64 }

// retained decodes an event invocations times with run, which passes the
// strings a user would keep to keep, and reports the heap that stays
// reachable afterwards: in total, the kept strings' own bytes, and how many
// strings were kept.
func retained(t *testing.T, invocations, perInvocation int, run func(keep func(string))) (heap, own int64, kept []string) {
	t.Helper()
	kept = make([]string, 0, invocations*perInvocation) // allocated before the first measurement
	keep := func(s string) { kept = append(kept, s) }
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < invocations; i++ {
		run(keep)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(kept) != invocations*perInvocation {
		t.Fatalf("kept %d strings, want %d", len(kept), invocations*perInvocation)
	}
	for _, s := range kept {
		own += int64(len(s))
	}
	heap = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	runtime.KeepAlive(kept)
	return heap - own, own, kept
}

// keeper returns a run function for retained: it copies payload into a
// buffer reused across invocations, as aws-lambda-go does, decodes it, and
// keeps what pick picks.
func keeper[T any](t *testing.T, payload []byte, decode func([]byte) (T, error), pick func(T, func(string))) func(keep func(string)) {
	buf := make([]byte, len(payload))
	return func(keep func(string)) {
		copy(buf, payload)
		ev, err := decode(buf)
		if err != nil {
			t.Fatal(err)
		}
		pick(ev, keep)
	}
}

func unmarshal[T any](b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// TestKeptStringsRetainLittle is issue 14's retention check: a string kept
// from a decoded event must keep at most a small multiple of its own bytes
// reachable, not a shared chunk of the payload. It keeps one or two small
// strings of every record of many events and measures the heap left
// reachable after a collection; encoding/json, one allocation per string,
// is measured alongside as the reference.
func TestKeptStringsRetainLittle(t *testing.T) {
	evs := benchEvents(retentionRecords)
	tests := []struct {
		source    string // key of benchEvents
		keeps     string // what is kept of each record
		perRecord int
		fast, std func(t *testing.T, payload []byte) func(keep func(string))
	}{
		{
			source: "sqs", keeps: "MessageId", perRecord: 1,
			fast: func(t *testing.T, p []byte) func(func(string)) { return keeper(t, p, eventjson.SQS, pickSQS) },
			std: func(t *testing.T, p []byte) func(func(string)) {
				return keeper(t, p, unmarshal[events.SQSEvent], pickSQS)
			},
		},
		{
			source: "kinesis", keeps: "SequenceNumber", perRecord: 1,
			fast: func(t *testing.T, p []byte) func(func(string)) { return keeper(t, p, eventjson.Kinesis, pickKinesis) },
			std: func(t *testing.T, p []byte) func(func(string)) {
				return keeper(t, p, unmarshal[events.KinesisEvent], pickKinesis)
			},
		},
		{
			source: "dynamodb", keeps: "SequenceNumber and NewImage pk", perRecord: 2,
			fast: func(t *testing.T, p []byte) func(func(string)) { return keeper(t, p, eventjson.DynamoDB, pickDynamoDB) },
			std: func(t *testing.T, p []byte) func(func(string)) {
				return keeper(t, p, unmarshal[events.DynamoDBEvent], pickDynamoDB)
			},
		},
		{
			source: "kafka", keeps: "Topic", perRecord: 1,
			fast: func(t *testing.T, p []byte) func(func(string)) { return keeper(t, p, eventjson.Kafka, pickKafka) },
			std: func(t *testing.T, p []byte) func(func(string)) {
				return keeper(t, p, unmarshal[events.KafkaEvent], pickKafka)
			},
		},
	}
	for _, tt := range tests {
		for _, firstOnly := range []bool{false, true} {
			name := tt.source + " " + tt.keeps + " of every record"
			if firstOnly {
				name = tt.source + " " + tt.keeps + " of the first record"
			}
			t.Run(name, func(t *testing.T) {
				testRetention(t, evs[tt.source], tt.perRecord, firstOnly, tt.fast, tt.std)
			})
		}
	}
}

// testRetention measures what the strings kept by fast and by std (as
// TestKeptStringsRetainLittle describes) keep reachable, and fails t when
// fast's exceed retainedBound. With firstOnly, only the first record's
// strings of each event are kept: then each one may be the only kept
// string in its chunk, the worst case the bound is derived from.
func testRetention(t *testing.T, ev any, perRecord int, firstOnly bool, fast, std func(t *testing.T, payload []byte) func(keep func(string))) {
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	per := retentionRecords * perRecord
	onlyFirst := func(run func(keep func(string))) func(keep func(string)) {
		if !firstOnly {
			return run
		}
		return func(keep func(string)) {
			n := 0
			run(func(s string) {
				if n < perRecord {
					keep(s)
				}
				n++
			})
		}
	}
	if firstOnly {
		per = perRecord
	}
	// encoding/json is slower (DynamoDB especially) and only a reference:
	// a quarter of the invocations measure it well.
	stdHeap, _, stdKept := retained(t, retentionInvocations/4, per, onlyFirst(std(t, payload)))
	heap, own, kept := retained(t, retentionInvocations, per, onlyFirst(fast(t, payload)))
	var bound int64
	for _, s := range kept {
		bound += int64(retainedBound(len(s)))
	}
	n := float64(len(kept))
	t.Logf("%d events of %d records (%d bytes each), %d strings kept (%.1f bytes each on average): "+
		"fast decoder %.1f bytes reachable per kept string beyond its own (bound %.1f); encoding/json %.1f",
		retentionInvocations, retentionRecords, len(payload), len(kept), float64(own)/n,
		float64(heap)/n, float64(bound)/n, float64(stdHeap)/float64(len(stdKept)))
	if heap > bound {
		t.Errorf("kept strings keep %d bytes reachable beyond their own %d (%.0f per string), want at most %d (%.0f per string)",
			heap, own, float64(heap)/n, bound, float64(bound)/n)
	}
}

func pickSQS(ev events.SQSEvent, keep func(string)) {
	for _, r := range ev.Records {
		keep(r.MessageId)
	}
}

func pickKinesis(ev events.KinesisEvent, keep func(string)) {
	for _, r := range ev.Records {
		keep(r.Kinesis.SequenceNumber)
	}
}

func pickDynamoDB(ev events.DynamoDBEvent, keep func(string)) {
	for _, r := range ev.Records {
		keep(r.Change.SequenceNumber)
		keep(r.Change.NewImage["pk"].String())
	}
}

func pickKafka(ev events.KafkaEvent, keep func(string)) {
	for _, recs := range ev.Records {
		for _, r := range recs {
			keep(r.Topic)
		}
	}
}

// TestStringsDoNotAliasThePayload decodes events from a buffer, overwrites
// the buffer as aws-lambda-go does with the next invocation's payload, and
// checks that the decoded events did not change: no string may be a slice
// of the payload.
func TestStringsDoNotAliasThePayload(t *testing.T) {
	evs := benchEvents(50)
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			payload, err := json.Marshal(evs[src.name])
			if err != nil {
				t.Fatal(err)
			}
			want, err := src.std(payload)
			if err != nil {
				t.Fatal(err)
			}
			buf := append([]byte(nil), payload...)
			got, err := src.fast(buf)
			if err != nil {
				t.Fatal(err)
			}
			for i := range buf {
				buf[i] = '#'
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the event changed when its payload buffer was overwritten")
			}
		})
	}
}
