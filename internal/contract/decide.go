package contract

import (
	"fmt"
	"strconv"
	"strings"
)

// Outcome is what the event source mapping of a source does after one
// invocation of a batch, as [Decide] reads it.
type Outcome struct {
	// Reason is not empty when Lambda fails the whole batch: the
	// invocation failed (an error, a panic, a timeout, a crash), or its
	// response is invalid (see [Check]). Every record is then retried:
	// on SQS after the visibility timeout, on a stream from the first
	// record of each shard's batch.
	Reason string
	// Reported holds the positions in the batch of the records the
	// response reports, in batch order, each once.
	Reported []int
	// Retried holds the positions of the records Lambda delivers again,
	// in batch order: every record when the batch failed; for SQS the
	// reported ones; for a stream or Kafka, in each shard or partition,
	// every record from the checkpoint on.
	Retried []int
	// Checkpoints maps each shard (Kafka: topic-partition) that is read
	// again to the position of the record it resumes at: the one with
	// the lowest reported sequence number (offset), or its first record
	// when the batch failed. A shard read past is absent; nil for SQS.
	Checkpoints map[string]int
	// Warnings describe what Lambda accepts but breaks an order: on a
	// FIFO queue, a message that is not reported after a reported
	// message of its group (Lambda deletes it, so it overtakes the one
	// retried).
	Warnings []string
}

// Decide says what the event source mapping of src does after an
// invocation of a batch whose records have the identifiers ids (as
// [Check] takes them; Kafka: [KafkaID]). funcErr, when not empty,
// describes the function's error (the invocation failed), and resp is
// then not read; otherwise resp is the response it returned. keys gives
// each record's shard (Kafka: topic-partition) for a stream, or its
// message group on a FIFO queue; nil means one shard, or a standard
// queue.
//
// The rules are those of [Check] and, for the checkpoint, AWS Lambda
// Developer Guide, "Configuring partial batch response with Kinesis Data
// Streams": Lambda retries from the lowest sequence number reported,
// records after it included; for Kafka, the lowest offset of each
// partition ("Configuring error handling controls for Kafka event
// sources").
func Decide(src Source, ids, keys []string, resp []byte, funcErr string) Outcome {
	key := func(p int) string {
		if keys == nil || p >= len(keys) {
			return ""
		}
		return keys[p]
	}
	if funcErr != "" {
		return failAll(src, ids, key, "function error: "+funcErr)
	}
	failed, reason := Check(src, resp, ids)
	if reason != "" {
		return failAll(src, ids, key, reason)
	}
	o := Outcome{Reported: failed}
	if src == SQS {
		o.Retried = append([]int(nil), failed...)
		if keys != nil {
			o.Warnings = overtaken(ids, key, failed)
		}
		return o
	}
	low := map[string]int{}
	for _, p := range failed {
		k := key(p)
		if cur, ok := low[k]; !ok || less(src, ids[p], ids[cur]) {
			low[k] = p
		}
	}
	for p := range ids {
		if c, ok := low[key(p)]; ok && !less(src, ids[p], ids[c]) {
			o.Retried = append(o.Retried, p)
		}
	}
	if len(low) > 0 {
		o.Checkpoints = low
	}
	return o
}

// failAll is the outcome of a batch that failed as a whole.
func failAll(src Source, ids []string, key func(int) string, reason string) Outcome {
	o := Outcome{Reason: reason, Retried: make([]int, len(ids))}
	for p := range ids {
		o.Retried[p] = p
	}
	if src != SQS && len(ids) > 0 {
		o.Checkpoints = map[string]int{}
		for p := range ids {
			k := key(p)
			if c, ok := o.Checkpoints[k]; !ok || less(src, ids[p], ids[c]) {
				o.Checkpoints[k] = p
			}
		}
	}
	return o
}

// overtaken lists, on a FIFO queue, the messages Lambda deletes although
// an earlier message of their group is retried.
func overtaken(ids []string, key func(int) string, failed []int) []string {
	first := map[string]int{} // group -> position of its first reported message
	for _, p := range failed {
		if _, ok := first[key(p)]; !ok {
			first[key(p)] = p
		}
	}
	reported := make(map[int]bool, len(failed))
	for _, p := range failed {
		reported[p] = true
	}
	var w []string
	for p := range ids {
		if f, ok := first[key(p)]; ok && p > f && !reported[p] {
			w = append(w, fmt.Sprintf("message %s of group %q is not reported but follows the reported message %s: Lambda deletes it, so it overtakes the message retried", ids[p], key(p), ids[f]))
		}
	}
	return w
}

// less reports whether identifier a comes before b in its shard: the
// smaller sequence number (Kinesis, DynamoDB Streams: decimal strings of
// any length) or offset (Kafka).
func less(src Source, a, b string) bool {
	if src == Kafka {
		return kafkaOffset(a) < kafkaOffset(b)
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func kafkaOffset(id string) int64 {
	at := strings.LastIndexByte(id, '@')
	n, _ := strconv.ParseInt(id[at+1:], 10, 64)
	return n
}
