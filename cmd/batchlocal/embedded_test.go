package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// poisonBodies returns the bodies of the generated records that fail.
func poisonBodies(src string, fifo bool, n int, share float64, keys int) []string {
	var out []string
	for _, it := range generate(src, fifo, n, share, keys) {
		if it.poison {
			out = append(out, it.body)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// lines writes one line per element to a file and returns its path.
func lines(t *testing.T, ls ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "messages.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(ls, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The SQS example on an in-memory queue: every message is processed but
// the poison ones, which end in the dead-letter queue after
// maxReceiveCount receives, and nothing is delivered again after it
// succeeded.
func TestEmbeddedSQS(t *testing.T) {
	s := runJSON(t, function(t, "examples/sqs"), "--send", "300", "--poison", "3%", "--max-receive-count", "3")
	want := poisonBodies(srcSQS, false, 300, 0.03, 4)
	if got := sorted(payloads(s.Failed, "dead-lettered")); !reflect.DeepEqual(got, want) {
		t.Errorf("dead-lettered: got %q, want the poison messages %q", got, want)
	}
	if s.Records != 300 || s.Outcomes["processed"] != 300-len(want) || len(s.Failed) != len(want) {
		t.Errorf("got %d records, outcomes %v, want 300 with %d processed and only the poison not", s.Records, s.Outcomes, 300-len(want))
	}
	if s.Duplicates != 0 || s.Invocations.ColdStarts != 1 {
		t.Errorf("got %d duplicates, %d cold starts; want 0 and 1", s.Duplicates, s.Invocations.ColdStarts)
	}
	for _, f := range s.Failed {
		if f.Deliveries != 3 || !strings.Contains(f.Reason, "maxReceiveCount 3") {
			t.Errorf("%s: got %d deliveries, reason %q; want 3 receives, then the dead-letter queue", f.ID, f.Deliveries, f.Reason)
		}
	}
}

// What the function saw, from its own side: no invocation overlapped
// another, every message succeeded exactly once but the poison ones, and
// those were received maxReceiveCount times, then dead-lettered.
func TestEmbeddedNoMessageLostOrHandledTwiceAtOnce(t *testing.T) {
	var bodies []string
	for i := 0; i < 200; i++ {
		if i%40 == 7 {
			bodies = append(bodies, fmt.Sprintf("poison-%d", i))
		} else {
			bodies = append(bodies, fmt.Sprintf("message-%d", i))
		}
	}
	rec := filepath.Join(t.TempDir(), "record")
	tr := filepath.Join(t.TempDir(), "trace.json")
	s := runJSON(t, function(t, "testdata/recorder"), "--messages", lines(t, bodies...), "--max-receive-count", "2",
		"--env", "RECORD_FILE="+rec, "--trace", tr)
	if s.Outcomes["processed"] != 195 || s.Outcomes["dead-lettered"] != 5 || s.Records != 200 {
		t.Fatalf("got %d records, outcomes %v; want 195 processed, 5 dead-lettered", s.Records, s.Outcomes)
	}
	body := map[string]string{}
	for _, r := range readTrace(t, tr).Records {
		body[r.ID] = r.Payload
	}

	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type span struct{ start, end int64 }
	spans := map[string]*span{}
	succeeded, failed := map[string]int{}, map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var req, id string
		var pid int
		var start, end int64
		var ok bool
		if _, err := fmt.Sscan(sc.Text(), &req, &id, &pid, &start, &end, &ok); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		sp := spans[req]
		if sp == nil {
			sp = &span{start, end}
			spans[req] = sp
		}
		sp.start, sp.end = min(sp.start, start), max(sp.end, end)
		if ok {
			succeeded[body[id]]++
		} else {
			failed[body[id]]++
		}
	}
	var all []span
	for _, sp := range spans {
		all = append(all, *sp)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start < all[j].start })
	for i := 1; i < len(all); i++ {
		if all[i].start < all[i-1].end {
			t.Errorf("invocations overlap: one ran %d..%d, the next started at %d", all[i-1].start, all[i-1].end, all[i].start)
		}
	}
	for _, b := range bodies {
		switch {
		case strings.HasPrefix(b, "poison"):
			if succeeded[b] != 0 || failed[b] != 2 {
				t.Errorf("%s: handled %d times with success, %d with failure; want 0 and 2 (maxReceiveCount)", b, succeeded[b], failed[b])
			}
		case succeeded[b] != 1 || failed[b] != 0:
			t.Errorf("%s: handled %d times with success, %d with failure; want once, with success", b, succeeded[b], failed[b])
		}
	}
}

// On a FIFO queue the records of a group succeed in send order, the
// poison message holds its group until it is dead-lettered, and the
// example's ledger (which refuses a withdrawal before its deposit) sees
// no operation out of order: only the poison fails.
func TestEmbeddedFIFOKeepsGroupOrder(t *testing.T) {
	tr := filepath.Join(t.TempDir(), "trace.json")
	s := runJSON(t, function(t, "examples/sqsfifo"), "--fifo", "--send", "200", "--poison", "2%", "--keys", "5",
		"--max-receive-count", "2", "--trace", tr)
	want := poisonBodies(srcSQS, true, 200, 0.02, 5)
	if got := sorted(payloads(s.Failed, "dead-lettered")); !reflect.DeepEqual(got, want) {
		t.Errorf("dead-lettered: got %q, want the poison operations %q", got, want)
	}
	if len(s.Failed) != len(want) || len(s.OrderViolations) != 0 {
		t.Errorf("got %d not processed, order violations %q; want only the poison, none", len(s.Failed), s.OrderViolations)
	}
	// In each group, the invocation that settled a record never comes
	// before the one that settled an earlier record.
	last := map[string]int{}
	for _, r := range readTrace(t, tr).Records {
		if r.State != "processed" {
			continue
		}
		inv := r.Invocations[len(r.Invocations)-1]
		if inv < last[r.Key] {
			t.Errorf("group %s: %s succeeded in invocation %d, after a later record in invocation %d", r.Key, r.ID, inv, last[r.Key])
		}
		last[r.Key] = inv
	}
}

// A Kinesis shard resumes at the lowest reported record: the example
// reports the invalid click and, since it stops a partition key at its
// first failure, every later click of that key; with one retry, that
// part of the batch is read twice, then sent to the on-failure
// destination.
func TestEmbeddedKinesisCheckpoint(t *testing.T) {
	var clicks []string
	for i := 0; i < 10; i++ {
		if i == 4 {
			clicks = append(clicks, `{"user":"u"}`) // no page: invalid
		} else {
			clicks = append(clicks, fmt.Sprintf(`{"user":"u","page":"/p/%d"}`, i))
		}
	}
	tr := filepath.Join(t.TempDir(), "trace.json")
	s := runJSON(t, function(t, "examples/kinesis"), "--source", "kinesis", "--messages", lines(t, clicks...), "--keys", "1",
		"--max-retry-attempts", "1", "--on-failure", "failures", "--trace", tr)
	f := readTrace(t, tr)
	ids := make([]string, len(f.Records))
	for i, r := range f.Records {
		ids[i] = r.ID
	}
	if len(f.Invocations) != 2 || !reflect.DeepEqual(f.Invocations[0].IDs, ids) || !reflect.DeepEqual(f.Invocations[1].IDs, ids[4:]) {
		t.Fatalf("got invocations %+v, want the batch, then the batch from the reported record on", f.Invocations)
	}
	if len(f.Destination) != 1 || !reflect.DeepEqual(f.Destination[0].IDs, ids[4:]) || f.Destination[0].Condition != "RetryAttemptsExhausted" || f.Destination[0].InvokeCount != 2 {
		t.Errorf("got destination %+v, want the records from the checkpoint on, after 2 tries", f.Destination)
	}
	if s.Outcomes["processed"] != 4 || s.Outcomes["dead-lettered"] != 6 {
		t.Errorf("got outcomes %v, want 4 processed, 6 dead-lettered", s.Outcomes)
	}
}

// BisectBatchOnFunctionError splits a batch that failed as a whole until
// the poison record is alone, without using up retries: batches of 8, 4,
// 4, 2, 1, 1 and 2 for a poison at index 5, then the poison alone goes to
// the destination.
func TestEmbeddedBisect(t *testing.T) {
	data := []string{"a", "b", "c", "d", "e", "poison", "g", "h"}
	tr := filepath.Join(t.TempDir(), "trace.json")
	s := runJSON(t, function(t, "testdata/bisect"), "--source", "kinesis", "--messages", lines(t, data...), "--keys", "1",
		"--batch-size", "8", "--bisect", "--max-retry-attempts", "0", "--on-failure", "failures", "--trace", tr)
	f := readTrace(t, tr)
	var sizes []int
	for _, inv := range f.Invocations {
		sizes = append(sizes, len(inv.IDs))
	}
	if want := []int{8, 4, 4, 2, 1, 1, 2}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("got batch sizes %v, want %v", sizes, want)
	}
	if len(f.Destination) != 1 || len(f.Destination[0].IDs) != 1 || f.Destination[0].IDs[0] != f.Records[5].ID {
		t.Errorf("got destination %+v, want the poison record alone", f.Destination)
	}
	if s.Outcomes["processed"] != 7 || s.Outcomes["dead-lettered"] != 1 {
		t.Errorf("got outcomes %v, want 7 processed, 1 dead-lettered", s.Outcomes)
	}
}

// Kafka and DynamoDB Streams run on the same stream rules: the poison
// records end in the on-failure destination, everything else processed.
func TestEmbeddedKafkaAndDynamoDB(t *testing.T) {
	for _, src := range []string{srcKafka, srcDynamoDB} {
		t.Run(src, func(t *testing.T) {
			s := runJSON(t, function(t, "examples/"+src), "--source", src, "--send", "120", "--poison", "2%",
				"--max-retry-attempts", "1", "--on-failure", "failures", "--shards", "2")
			if s.Records != 120 || s.Outcomes["pending"] != 0 || s.Outcomes["discarded"] != 0 || s.Outcomes["dead-lettered"] == 0 {
				t.Errorf("got %d records, outcomes %v; want 120, every one processed or dead-lettered, some dead-lettered", s.Records, s.Outcomes)
			}
			poison := 0
			for _, f := range s.Failed {
				if strings.Contains(f.Payload, `"amount":0`) || strings.Contains(f.Payload, "status: OPEN") {
					poison++
				}
			}
			if poison != 2 {
				t.Errorf("got %d poison records among %d not processed, want the 2", poison, len(s.Failed))
			}
		})
	}
}

// A timeout kills the function, fails the invocation as Lambda does, and
// the next invocation starts a new process; the message that always
// times out ends in the dead-letter queue.
func TestTimeoutRestartsTheFunction(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pids")
	s := runJSON(t, function(t, "testdata/slow"), "--messages", lines(t, "a", "slow", "b"), "--batch-size", "1",
		"--timeout", "500ms", "--max-receive-count", "2", "--env", "PIDFILE="+pidfile)
	if s.Outcomes["processed"] != 2 || s.Outcomes["dead-lettered"] != 1 || s.Invocations.Errors["Sandbox.Timedout"] != 2 {
		t.Fatalf("got outcomes %v, errors %v; want 2 processed, the slow one dead-lettered after 2 timeouts", s.Outcomes, s.Invocations.Errors)
	}
	// a (cold), slow (timed out), b (cold again), slow (timed out, then
	// dead-lettered: nothing is invoked after it).
	if s.Invocations.ColdStarts != 2 || s.Invocations.Total != 4 {
		t.Errorf("got %d cold starts in %d invocations, want 2 in 4: the first, and the one after the first timeout", s.Invocations.ColdStarts, s.Invocations.Total)
	}
	if r := s.Failed[0].Reason; !strings.Contains(r, "Sandbox.Timedout") || !strings.Contains(r, "Task timed out after 0.50 seconds") {
		t.Errorf("got reason %q, want Lambda's timeout", r)
	}
	checkDead(t, pidfile)
}

// checkDead checks that the processes whose pids are in file are gone.
func checkDead(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(f)
		deadline := time.Now().Add(2 * time.Second)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("process %d is alive, want it killed with the function", pid)
		}
	}
}
