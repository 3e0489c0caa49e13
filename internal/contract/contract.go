// Package contract reads a function's partial batch response the way an
// AWS Lambda event source mapping reads it, so that the test kit's
// simulators (and any other consumer in this repository) decide with one
// set of rules which records Lambda retries and when it fails the whole
// batch instead.
//
// The rules come from sources outside this repository, not from the
// library's own encoder:
//
//   - AWS Lambda Developer Guide, "Handling errors for an SQS event source"
//     (section on reporting batch item failures), and the Kinesis and
//     DynamoDB Streams pages "Configuring partial batch response": a batch
//     is a complete success when the response is null or empty, or its
//     batchItemFailures is null or empty; it is a complete failure when
//     the response is not valid JSON, or an itemIdentifier is empty, null,
//     under a wrong key, or (SQS) names a message that is not in the batch.
//   - AWS Lambda Developer Guide, "Configuring error handling controls for
//     Kafka event sources" (PartialBatchResponse): an identifier is the
//     object {"partition": "<topic>-<partition>", "offset": <number>}, and
//     a partition or offset that is not in the event fails the whole
//     batch. Powertools for AWS Lambda (Python) declares the same shape
//     (its KafkaItemIdentifier has the keys partition, a string, and
//     offset, an integer), as do the Kafka response types proposed for
//     aws/aws-lambda-rust-runtime (pull request 1164).
//
// Where the documentation is silent this package takes the stricter
// reading, so that a test fails rather than a deployed function: a
// response that is valid JSON but not an object (a string, a number, an
// array), a batchItemFailures that is not an array, an item that is not an
// object, and an identifier that is not in the batch fail the whole batch
// for every source; so does a top-level key that differs from
// batchItemFailures only in case, since Lambda either ignores it (and
// deletes every record) or rejects it.
package contract

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// Source is the kind of event source mapping whose rules apply.
type Source uint8

const (
	SQS      Source = iota // identifier: messageId
	Kinesis                // identifier: kinesis.sequenceNumber
	DynamoDB               // identifier: dynamodb.SequenceNumber
	Kafka                  // identifier: {"partition": "<topic>-<partition>", "offset": N}
)

// String names the source as the AWS documentation does.
func (s Source) String() string {
	switch s {
	case SQS:
		return "SQS"
	case Kinesis:
		return "Kinesis"
	case DynamoDB:
		return "DynamoDB Streams"
	case Kafka:
		return "Kafka"
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// KafkaID is the form in which Check takes and returns Kafka identifiers:
// "<topic>-<partition>@<offset>".
func KafkaID(partition string, offset int64) string {
	return partition + "@" + strconv.FormatInt(offset, 10)
}

// Check reads resp, the bytes a function returned, as the event source
// mapping of src does for a batch whose records have the identifiers ids
// (Kafka: in the form of [KafkaID]). It returns the positions in ids of
// the records the response reports, each once, in batch order; or, when
// Lambda would fail the whole batch, a non-empty reason.
func Check(src Source, resp []byte, ids []string) (failed []int, reason string) {
	reported, reason := Identifiers(src, resp)
	if reason != "" {
		return nil, reason
	}
	pos := make(map[string]int, len(ids))
	for p, id := range ids {
		if _, dup := pos[id]; !dup {
			pos[id] = p
		}
	}
	seen := make([]bool, len(ids))
	for _, id := range reported {
		p, ok := pos[id]
		if !ok {
			return nil, fmt.Sprintf("itemIdentifier %s is not in the batch", describe(src, id))
		}
		seen[p] = true
	}
	for p, s := range seen {
		if s {
			failed = append(failed, p)
		}
	}
	return failed, ""
}

// describe quotes an identifier for a reason.
func describe(src Source, id string) string {
	if src == Kafka {
		if at := strings.LastIndexByte(id, '@'); at >= 0 {
			return fmt.Sprintf("{partition %q, offset %s}", id[:at], id[at+1:])
		}
	}
	return strconv.Quote(id)
}

// Identifiers parses resp and returns the identifiers it reports, in
// response order and possibly repeated, without checking them against a
// batch; reason is non-empty when Lambda would fail the whole batch for
// the shape of the response alone.
func Identifiers(src Source, resp []byte) (ids []string, reason string) {
	body := eventjson.TrimSpace(resp)
	if len(body) == 0 || string(body) == "null" {
		return nil, "" // an empty or null response: complete success
	}
	if !json.Valid(body) {
		return nil, "the response is not valid JSON"
	}
	if body[0] != '{' {
		return nil, fmt.Sprintf("the response is a JSON %s, not an object", kind(body[0]))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, "the response is not valid JSON: " + err.Error()
	}
	list, ok := top["batchItemFailures"]
	if !ok {
		for k := range top {
			if strings.EqualFold(k, "batchItemFailures") {
				return nil, fmt.Sprintf("the response has the key %q; Lambda reads only \"batchItemFailures\"", k)
			}
		}
		return nil, "" // an empty response object: complete success
	}
	list = eventjson.TrimSpace(list)
	if string(list) == "null" {
		return nil, ""
	}
	if list[0] != '[' {
		return nil, fmt.Sprintf("batchItemFailures is a JSON %s, not an array", kind(list[0]))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, "batchItemFailures: " + err.Error()
	}
	for i, raw := range items {
		id, why := item(src, eventjson.TrimSpace(raw))
		if why != "" {
			return nil, fmt.Sprintf("batchItemFailures[%d]: %s", i, why)
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// item reads one element of batchItemFailures.
func item(src Source, raw []byte) (string, string) {
	if raw[0] != '{' {
		return "", fmt.Sprintf("a JSON %s, not an object", kind(raw[0]))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return "", err.Error()
	}
	v, ok := fields["itemIdentifier"]
	if !ok {
		return "", "no itemIdentifier key" + otherKeys(fields)
	}
	v = eventjson.TrimSpace(v)
	if string(v) == "null" {
		return "", "itemIdentifier is null"
	}
	if src == Kafka {
		return kafkaIdentifier(v)
	}
	if v[0] != '"' {
		return "", fmt.Sprintf("itemIdentifier is a JSON %s, not a string", kind(v[0]))
	}
	var id string
	if err := json.Unmarshal(v, &id); err != nil {
		return "", "itemIdentifier: " + err.Error()
	}
	if id == "" {
		return "", "itemIdentifier is empty"
	}
	return id, ""
}

// kafkaIdentifier reads {"partition": "<topic>-<partition>", "offset": N}.
func kafkaIdentifier(v []byte) (string, string) {
	if v[0] != '{' {
		return "", fmt.Sprintf("itemIdentifier is a JSON %s, not an object with partition and offset", kind(v[0]))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil {
		return "", "itemIdentifier: " + err.Error()
	}
	for k := range fields {
		if k != "partition" && k != "offset" {
			return "", fmt.Sprintf("itemIdentifier has the key %q; Lambda reads only \"partition\" and \"offset\"", k)
		}
	}
	p, ok := fields["partition"]
	if !ok {
		return "", "itemIdentifier has no \"partition\""
	}
	o, ok := fields["offset"]
	if !ok {
		return "", "itemIdentifier has no \"offset\""
	}
	p, o = eventjson.TrimSpace(p), eventjson.TrimSpace(o)
	var partition string
	if p[0] != '"' || json.Unmarshal(p, &partition) != nil {
		return "", fmt.Sprintf("partition is a JSON %s, not a string", kind(p[0]))
	}
	if partition == "" {
		return "", "partition is empty"
	}
	if o[0] == '"' || o[0] == 'n' || o[0] == '{' || o[0] == '[' || o[0] == 't' || o[0] == 'f' {
		return "", fmt.Sprintf("offset is a JSON %s, not a number", kind(o[0]))
	}
	offset, err := strconv.ParseInt(string(o), 10, 64)
	if err != nil {
		return "", fmt.Sprintf("offset %s is not an integer", o)
	}
	return KafkaID(partition, offset), ""
}

// otherKeys lists the keys of an item for a reason, when there are any.
func otherKeys(fields map[string]json.RawMessage) string {
	if len(fields) == 0 {
		return ""
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, strconv.Quote(k))
	}
	sort.Strings(keys) // the same reason on every run
	return " (has " + strings.Join(keys, ", ") + ")"
}

// kind names the JSON type that starts with c.
func kind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
