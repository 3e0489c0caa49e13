package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func gen(t *testing.T, seed string) string {
	t.Helper()
	dir := t.TempDir()
	if err := run([]string{"gen", "-dir", dir, "-records", "100", "-seed", seed}, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGenerateIsSeeded(t *testing.T) {
	a, b, c := gen(t, "1"), gen(t, "1"), gen(t, "2")
	for _, src := range sources {
		for _, name := range []func(string, string, int) string{eventFile, expectedFile} {
			x, _ := os.ReadFile(name(a, src, 100))
			y, _ := os.ReadFile(name(b, src, 100))
			z, _ := os.ReadFile(name(c, src, 100))
			if len(x) == 0 || !bytes.Equal(x, y) {
				t.Errorf("%s: two runs with seed 1 wrote different files %s", src, filepath.Base(name(a, src, 100)))
			}
			if bytes.Equal(x, z) {
				t.Errorf("%s: seeds 1 and 2 wrote the same file %s", src, filepath.Base(name(a, src, 100)))
			}
		}
	}
}

// TestGeneratedEvents checks what the comparison promises about its
// events: each decodes as its aws-lambda-go type, every payload is an
// order of about 256 bytes, and exactly one record in ten is rejected,
// those the expected response lists.
func TestGeneratedEvents(t *testing.T) {
	dir := gen(t, "1")
	for _, src := range sources {
		t.Run(src, func(t *testing.T) {
			raw, err := os.ReadFile(eventFile(dir, src, 100))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			var payloads [][]byte
			switch src {
			case "sqs":
				var ev events.SQSEvent
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatal(err)
				}
				for _, m := range ev.Records {
					ids = append(ids, m.MessageId)
					payloads = append(payloads, []byte(m.Body))
				}
			case "kinesis":
				var ev events.KinesisEvent
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatal(err)
				}
				for _, r := range ev.Records {
					ids = append(ids, r.Kinesis.SequenceNumber)
					payloads = append(payloads, r.Kinesis.Data)
				}
			case "dynamodb":
				var ev events.DynamoDBEvent
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatal(err)
				}
				for _, r := range ev.Records {
					ids = append(ids, r.Change.SequenceNumber)
					// The same order as JSON, for the checks below.
					payloads = append(payloads, []byte(`{"status":"`+r.Change.NewImage["status"].String()+`","items":[]}`))
				}
			}
			var want []string
			size := 0
			for i, p := range payloads {
				var o Order
				if err := json.Unmarshal(p, &o); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				if o.Status == rejected {
					want = append(want, ids[i])
				}
				size += len(p)
			}
			if len(want) != 10 {
				t.Errorf("got %d rejected orders of 100, want 10", len(want))
			}
			if mean := size / len(payloads); src != "dynamodb" && (mean < 200 || mean > 320) {
				t.Errorf("got payloads of %d bytes on average, want about 256", mean)
			}
			got, err := os.ReadFile(expectedFile(dir, src, 100))
			if err != nil {
				t.Fatal(err)
			}
			wantResp, _ := json.Marshal(expectedResponse(want))
			if !bytes.Equal(got, wantResp) {
				t.Errorf("got expected response %s, want %s", got, wantResp)
			}
		})
	}
}

func TestPayloadsHaveEscapes(t *testing.T) {
	dir := gen(t, "1")
	raw, err := os.ReadFile(eventFile(dir, "kinesis", 100))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.KinesisEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, r := range ev.Records {
		all = append(all, r.Kinesis.Data...)
	}
	for _, esc := range []string{`\"`, `\n`, `\u0026`} {
		if !bytes.Contains(all, []byte(esc)) {
			t.Errorf("got no %s escape in the payloads, want a few", esc)
		}
	}
	if base64.StdEncoding.EncodeToString(ev.Records[0].Kinesis.Data) == "" {
		t.Error("got empty data")
	}
}

// TestRound runs a round of the Go side on each source, and checks that a
// wrong expected response fails it.
func TestRound(t *testing.T) {
	dir := gen(t, "1")
	for _, src := range sources {
		t.Run(src, func(t *testing.T) {
			var out bytes.Buffer
			if err := run([]string{"run", "-dir", dir, "-source", src, "-records", "100", "-warmup", "1", "-iterations", "2"}, &out); err != nil {
				t.Fatal(err)
			}
			var res result
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("got output %q: %v", out.String(), err)
			}
			if res.Side != "go" || res.Source != src || res.Records != 100 || res.NsPerEvent <= 0 || res.AllocsPerRecord <= 0 {
				t.Errorf("got result %+v, want one for go, %s, 100 records, with times and allocations", res, src)
			}
			if err := os.WriteFile(expectedFile(dir, src, 100), []byte(`{"batchItemFailures":[]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			err := run([]string{"run", "-dir", dir, "-source", src, "-records", "100", "-iterations", "1"}, &out)
			if err == nil || !strings.Contains(err.Error(), "got response") {
				t.Errorf("got error %v for a wrong expected response, want one naming the response", err)
			}
		})
	}
}

func TestReport(t *testing.T) {
	lines := strings.Join([]string{
		`{"side":"go","source":"sqs","records":1000,"eventBytes":1000000,"round":1,"iterations":10,"nsPerEvent":4e6,"cpuNsPerEvent":4e6,"maxRSSBytes":20000000,"allocsPerRecord":3.5,"bytesPerRecord":1200}`,
		`{"side":"powertools","source":"sqs","records":1000,"eventBytes":1000000,"round":1,"iterations":10,"nsPerEvent":1e7,"cpuNsPerEvent":1e7,"maxRSSBytes":70000000}`,
		`{"side":"go","source":"sqs","records":1000,"eventBytes":1000000,"round":2,"iterations":10,"nsPerEvent":6e6,"cpuNsPerEvent":5e6,"maxRSSBytes":20000000,"allocsPerRecord":3.5,"bytesPerRecord":1200}`,
		`{"side":"powertools","source":"sqs","records":1000,"eventBytes":1000000,"round":2,"iterations":10,"nsPerEvent":1e7,"cpuNsPerEvent":1e7,"maxRSSBytes":70000000}`,
		`{"side":"go","variant":"raw","source":"sqs","records":1000,"eventBytes":1000000,"round":1,"iterations":10,"nsPerEvent":2e6,"cpuNsPerEvent":3e6,"maxRSSBytes":20000000,"allocsPerRecord":1,"bytesPerRecord":100}`,
	}, "\n")
	res, err := readResults(strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeReport(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| SQS | 1,000 | 1.0 MB | 5.00 | 10.00 | **0.50** | 0.50 (0.40–0.60) | 0.45 | 200 | 100 | 200,000 | 100,000 |",
		"| SQS | 1,000 | 3.5 | 1,200 |",
		"| SQS | 1,000 | 2.00 | 0.20 | 0.30 | 60 % |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("got report\n%s\nwant a line with %q", out.String(), want)
		}
	}
}

func TestBreakdown(t *testing.T) {
	traces := `File: bench
-----------+-------------------------------------------------------
      30ms   runtime.scanobject
             runtime.gcDrain
             runtime.gcBgMarkWorker
-----------+-------------------------------------------------------
      20ms   encoding/json.(*decodeState).object
             encoding/json.Unmarshal
             github.com/seed-45ee126e/batch.decodeJSON
             github.com/seed-45ee126e/batch/internal/eventjson.SQSLenient
-----------+-------------------------------------------------------
      1.5s   github.com/seed-45ee126e/batch/internal/eventjson.(*decoder).unquote
             github.com/seed-45ee126e/batch/internal/eventjson.SQSLenient
             github.com/seed-45ee126e/batch.(*Function[...]).Invoke
-----------+-------------------------------------------------------
      10ms   runtime.futex
`
	times, total, err := classify(strings.NewReader(traces))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"GC": 30, "payload decoding": 20, "event decoding": 1500, otherCategory: 10}
	if total != 1560 || len(times) != len(want) {
		t.Fatalf("got %v (total %v), want %v (total 1560)", times, total, want)
	}
	for k, v := range want {
		if times[k] != v {
			t.Errorf("got %s %v ms, want %v", k, times[k], v)
		}
	}
}
