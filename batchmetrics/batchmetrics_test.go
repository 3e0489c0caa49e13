package batchmetrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchmetrics"
)

func TestSummarize(t *testing.T) {
	fail := errors.New("fail")
	tests := []struct {
		name   string
		arn    string
		bodies []string
		want   batchmetrics.Summary
	}{
		{
			name:   "standard queue counts successes and failures",
			arn:    "arn:aws:sqs:eu-west-1:123456789012:orders",
			bodies: []string{"ok", "fail", "ok"},
			want:   batchmetrics.Summary{Records: 3, Succeeded: 2, Failed: 1},
		},
		{
			name:   "fifo queue counts the records skipped after a failure",
			arn:    "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
			bodies: []string{"ok", "fail", "ok", "ok"},
			want:   batchmetrics.Summary{Records: 4, Succeeded: 1, Failed: 1, NotProcessed: 2},
		},
		{
			name: "empty batch counts nothing",
			want: batchmetrics.Summary{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var msgs []events.SQSMessage
			for i, b := range tt.bodies {
				msgs = append(msgs, events.SQSMessage{MessageId: string(rune('a' + i)), Body: b, EventSourceARN: tt.arn})
			}
			h := func(_ context.Context, m events.SQSMessage) error {
				if m.Body == "fail" {
					return fail
				}
				return nil
			}
			_, rep := batch.New(batch.SQS(), h, batch.Options{}).Process(context.Background(), events.SQSEvent{Records: msgs})
			if got := batchmetrics.Summarize(rep); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// emfDoc is the part of an EMF document the tests look at.
type emfDoc struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
}

func TestEMFWrite(t *testing.T) {
	at := time.UnixMilli(1700000000123)
	tests := []struct {
		name        string
		emf         batchmetrics.EMF
		summary     batchmetrics.Summary
		wantDims    []string
		wantMetrics map[string]string // name -> unit
		wantRoot    map[string]any
	}{
		{
			name:     "counts with dimensions",
			emf:      batchmetrics.EMF{Namespace: "Orders", Dimensions: []batchmetrics.Dimension{{"Queue", "orders"}, {"Function", "fn"}}},
			summary:  batchmetrics.Summary{Records: 10, Succeeded: 7, Failed: 2, NotProcessed: 1},
			wantDims: []string{"Queue", "Function"},
			wantMetrics: map[string]string{
				"Records": "Count", "Succeeded": "Count", "Failed": "Count", "NotProcessed": "Count",
			},
			wantRoot: map[string]any{
				"Queue": "orders", "Function": "fn",
				"Records": 10.0, "Succeeded": 7.0, "Failed": 2.0, "NotProcessed": 1.0,
			},
		},
		{
			name:     "a positive duration adds a Milliseconds metric",
			emf:      batchmetrics.EMF{Namespace: "Orders"},
			summary:  batchmetrics.Summary{Records: 1, Succeeded: 1, Duration: 1500 * time.Millisecond},
			wantDims: []string{},
			wantMetrics: map[string]string{
				"Records": "Count", "Succeeded": "Count", "Failed": "Count", "NotProcessed": "Count", "Duration": "Milliseconds",
			},
			wantRoot: map[string]any{"Records": 1.0, "Succeeded": 1.0, "Failed": 0.0, "NotProcessed": 0.0, "Duration": 1500.0},
		},
		{
			name:     "names and values are escaped as JSON",
			emf:      batchmetrics.EMF{Namespace: `My "App"`, Dimensions: []batchmetrics.Dimension{{"Queue\n", `a\b`}}},
			summary:  batchmetrics.Summary{},
			wantDims: []string{"Queue\n"},
			wantMetrics: map[string]string{
				"Records": "Count", "Succeeded": "Count", "Failed": "Count", "NotProcessed": "Count",
			},
			wantRoot: map[string]any{"Queue\n": `a\b`, "Records": 0.0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.emf.Write(&buf, tt.summary, at); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			line := buf.String()
			if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
				t.Fatalf("got %q, want one line ending in a newline", line)
			}
			var doc emfDoc
			var root map[string]any
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatalf("got invalid JSON %q: %v", line, err)
			}
			_ = json.Unmarshal(buf.Bytes(), &root)
			if got, want := doc.AWS.Timestamp, at.UnixMilli(); got != want {
				t.Errorf("got Timestamp %d, want %d", got, want)
			}
			if len(doc.AWS.CloudWatchMetrics) != 1 {
				t.Fatalf("got %d metric directives, want 1", len(doc.AWS.CloudWatchMetrics))
			}
			dir := doc.AWS.CloudWatchMetrics[0]
			if dir.Namespace != tt.emf.Namespace {
				t.Errorf("got namespace %q, want %q", dir.Namespace, tt.emf.Namespace)
			}
			if len(dir.Dimensions) != 1 || !reflect.DeepEqual(dir.Dimensions[0], tt.wantDims) {
				t.Errorf("got dimensions %q, want [%q]", dir.Dimensions, tt.wantDims)
			}
			gotMetrics := make(map[string]string)
			for _, m := range dir.Metrics {
				gotMetrics[m.Name] = m.Unit
				// The format requires a root member for every metric.
				if _, ok := root[m.Name]; !ok {
					t.Errorf("got no root member for metric %q", m.Name)
				}
			}
			if !reflect.DeepEqual(gotMetrics, tt.wantMetrics) {
				t.Errorf("got metrics %v, want %v", gotMetrics, tt.wantMetrics)
			}
			for _, d := range dir.Dimensions[0] {
				if _, ok := root[d].(string); !ok {
					t.Errorf("got no string root member for dimension %q", d)
				}
			}
			for k, v := range tt.wantRoot {
				if root[k] != v {
					t.Errorf("got %s = %v, want %v", k, root[k], v)
				}
			}
		})
	}
}

func TestEMFInvalid(t *testing.T) {
	many := make([]batchmetrics.Dimension, 31)
	for i := range many {
		many[i] = batchmetrics.Dimension{Name: "d" + string(rune('A'+i)), Value: "v"}
	}
	tests := []struct {
		name string
		emf  batchmetrics.EMF
	}{
		{name: "no namespace", emf: batchmetrics.EMF{}},
		{name: "more than 30 dimensions", emf: batchmetrics.EMF{Namespace: "N", Dimensions: many}},
		{name: "dimension without a name", emf: batchmetrics.EMF{Namespace: "N", Dimensions: []batchmetrics.Dimension{{"", "v"}}}},
		{name: "dimension without a value", emf: batchmetrics.EMF{Namespace: "N", Dimensions: []batchmetrics.Dimension{{"Queue", ""}}}},
		{name: "dimension named like a metric", emf: batchmetrics.EMF{Namespace: "N", Dimensions: []batchmetrics.Dimension{{"Failed", "v"}}}},
		{name: "dimension named _aws", emf: batchmetrics.EMF{Namespace: "N", Dimensions: []batchmetrics.Dimension{{"_aws", "v"}}}},
		{name: "dimension given twice", emf: batchmetrics.EMF{Namespace: "N", Dimensions: []batchmetrics.Dimension{{"Q", "a"}, {"Q", "b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := tt.emf.Write(&buf, batchmetrics.Summary{}, time.Unix(0, 0))
			if !errors.Is(err, batchmetrics.ErrInvalid) {
				t.Errorf("got error %v, want ErrInvalid", err)
			}
			if buf.Len() != 0 {
				t.Errorf("got %q written, want nothing", buf.String())
			}
		})
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestEMFWriteReturnsWriterError(t *testing.T) {
	wantErr := errors.New("disk full")
	err := batchmetrics.EMF{Namespace: "N"}.Write(failingWriter{wantErr}, batchmetrics.Summary{}, time.Unix(0, 0))
	if !errors.Is(err, wantErr) {
		t.Errorf("got %v, want %v", err, wantErr)
	}
}

func TestEMFAppendLineKeepsPrefix(t *testing.T) {
	got, err := batchmetrics.EMF{Namespace: "N"}.AppendLine([]byte("prefix:"), batchmetrics.Summary{}, time.Unix(0, 0))
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if !bytes.HasPrefix(got, []byte("prefix:{")) {
		t.Errorf("got %q, want the line appended after the prefix", got)
	}
}

// Records a failure policy diverted are counted, and the Diverted metric
// is written only when there are some.
func TestDivertedRecordsAreCounted(t *testing.T) {
	fn := batch.New(batch.Records(func(s string) string { return s }, nil),
		func(_ context.Context, s string) error {
			if s == "poison" {
				return batch.Permanent(errors.New("cannot be handled"))
			}
			return nil
		}, batch.Options{Divert: func(context.Context, batch.Failure) error { return nil }})
	_, rep := fn.Process(context.Background(), []string{"ok", "poison"})
	s := batchmetrics.Summarize(rep)
	if s.Diverted != 1 || s.Succeeded != 1 || s.Failed != 0 {
		t.Fatalf("got %+v, want 1 succeeded and 1 diverted", s)
	}
	line, err := batchmetrics.EMF{Namespace: "N"}.AppendLine(nil, s, time.UnixMilli(0))
	if err != nil || !strings.Contains(string(line), `"Diverted":1`) || !strings.Contains(string(line), `{"Name":"Diverted","Unit":"Count"}`) {
		t.Fatalf("got %s, %v; want the Diverted metric", line, err)
	}
	s.Diverted = 0
	line, _ = batchmetrics.EMF{Namespace: "N"}.AppendLine(nil, s, time.UnixMilli(0))
	if strings.Contains(string(line), "Diverted") {
		t.Fatalf("got %s, want no Diverted metric when there are none", line)
	}
}
