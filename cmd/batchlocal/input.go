package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Source kinds, as the command line names them.
const (
	srcSQS      = "sqs"
	srcKinesis  = "kinesis"
	srcDynamoDB = "dynamodb"
	srcKafka    = "kafka"
)

var sourceNames = []string{srcSQS, srcKinesis, srcDynamoDB, srcKafka}

func checkSource(s string) error {
	if !contains(sourceNames, s) {
		return usagef("--source %q: want one of %s", s, strings.Join(sourceNames, ", "))
	}
	return nil
}

// item is one message or record to send, whatever the source.
type item struct {
	body    string                                // SQS body, Kinesis data, Kafka value
	key     string                                // FIFO message group, partition key, Kafka key
	attrs   map[string]events.SQSMessageAttribute // SQS message attributes
	headers []map[string]events.JSONNumberBytes   // Kafka headers
	change  *change                               // DynamoDB Streams
	poison  bool                                  // generated to fail
}

// change is a DynamoDB item change.
type change struct {
	op                       string // INSERT, MODIFY, REMOVE
	keys, oldImage, newImage map[string]events.DynamoDBAttributeValue
}

// poisoned reports whether generated record i of a run with the given
// share fails: the records where the running count of share*i steps up,
// so that a share of 2% fails records 49, 99, 149, …, evenly spread and
// the same on every run.
func poisoned(i int, p float64) bool {
	return int(float64(i+1)*p) > int(float64(i)*p)
}

// generate returns n records for src in the shapes the examples of this
// repository take (examples/*/handler.go), of which the share poison
// fails there: for SQS, orders whose quantity is 0 (a FIFO queue:
// account operations of an unknown action, in keys customer groups);
// Kinesis, clicks without a page; DynamoDB Streams, orders removed while
// open; Kafka, payments of amount 0. keys is the number of message
// groups, partition keys or Kafka keys.
func generate(src string, fifo bool, n int, poison float64, keys int) []item {
	if keys < 1 {
		keys = 1
	}
	out := make([]item, n)
	for i := range out {
		bad := poisoned(i, poison)
		k := i % keys
		it := item{poison: bad}
		switch {
		case src == srcSQS && fifo:
			it.key = fmt.Sprintf("customer-%d", k)
			action, amount := "deposit", 100
			switch {
			case bad:
				action = "close" // unknown: fails every time, holding its group until it is dead-lettered
			case i < keys:
				action, amount = "open", 0
			case (i/keys)%2 == 0:
				action, amount = "withdraw", 50
			}
			it.body = fmt.Sprintf(`{"customer":%q,"action":%q,"amount":%d}`, it.key, action, amount)
		case src == srcSQS:
			q := 1 + i%5
			if bad {
				q = 0
			}
			it.body = fmt.Sprintf(`{"orderId":"o-%06d","sku":"SKU-%d","quantity":%d}`, i, i%97, q)
		case src == srcKinesis:
			it.key = fmt.Sprintf("user-%d", k)
			if bad {
				it.body = fmt.Sprintf(`{"user":%q}`, it.key)
			} else {
				it.body = fmt.Sprintf(`{"user":%q,"page":"/products/%d"}`, it.key, i%50)
			}
		case src == srcDynamoDB:
			id := fmt.Sprintf("o-%06d", i)
			keyAttrs := map[string]events.DynamoDBAttributeValue{"orderId": events.NewStringAttribute(id)}
			img := func(status string) map[string]events.DynamoDBAttributeValue {
				return map[string]events.DynamoDBAttributeValue{"orderId": events.NewStringAttribute(id), "status": events.NewStringAttribute(status)}
			}
			switch {
			case bad:
				it.change = &change{op: "REMOVE", keys: keyAttrs, oldImage: img("OPEN")}
			case i%3 == 0:
				it.change = &change{op: "INSERT", keys: keyAttrs, newImage: img("OPEN")}
			case i%3 == 1:
				it.change = &change{op: "MODIFY", keys: keyAttrs, oldImage: img("OPEN"), newImage: img("SHIPPED")}
			default:
				it.change = &change{op: "REMOVE", keys: keyAttrs, oldImage: img("CANCELLED")}
			}
			it.key = id
		case src == srcKafka:
			it.key = fmt.Sprintf("customer-%d", k)
			amount := 100 + i%900
			if bad {
				amount = 0
			}
			it.body = fmt.Sprintf(`{"paymentId":"p-%06d","amount":%d}`, i, amount)
			it.headers = []map[string]events.JSONNumberBytes{{"source": events.JSONNumberBytes("checkout")}}
		}
		out[i] = it
	}
	return out
}

// readItems reads the records of a file: an event in the shape Lambda
// sends for src (its records are sent again, with their bodies, keys,
// attributes and headers), or JSON lines, each line one SQS body,
// Kinesis data or Kafka value (DynamoDB: one stream record, as in an
// event), with keys taken in turn from keys of them.
func readItems(path, src string, keys int) ([]item, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &top); err == nil {
			if _, ok := top["Records"]; ok {
				return eventItems(path, src, trimmed)
			}
			if _, ok := top["records"]; ok {
				return eventItems(path, src, trimmed)
			}
		}
	}
	if keys < 1 {
		keys = 1
	}
	var out []item
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 6<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		it := item{body: text}
		switch src {
		case srcSQS:
		case srcKinesis, srcKafka:
			it.key = fmt.Sprintf("key-%d", len(out)%keys)
		case srcDynamoDB:
			var r events.DynamoDBEventRecord
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				return nil, fmt.Errorf("%s:%d: not a DynamoDB Streams record: %v", path, line, err)
			}
			c, err := recordChange(r)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, line, err)
			}
			it = item{change: c}
		}
		out = append(out, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no records: want an event or JSON lines", path)
	}
	return out, nil
}

// eventItems reads the records of an event file.
func eventItems(path, src string, b []byte) ([]item, error) {
	var out []item
	bad := func(err error) error {
		return fmt.Errorf("%s: not a %s event: %v", path, src, err)
	}
	switch src {
	case srcSQS:
		var ev events.SQSEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, bad(err)
		}
		for _, m := range ev.Records {
			out = append(out, item{body: m.Body, key: m.Attributes["MessageGroupId"], attrs: m.MessageAttributes})
		}
	case srcKinesis:
		var ev events.KinesisEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, bad(err)
		}
		for _, r := range ev.Records {
			out = append(out, item{body: string(r.Kinesis.Data), key: r.Kinesis.PartitionKey})
		}
	case srcDynamoDB:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, bad(err)
		}
		for i, r := range ev.Records {
			c, err := recordChange(r)
			if err != nil {
				return nil, fmt.Errorf("%s: record %d: %v", path, i, err)
			}
			out = append(out, item{change: c, key: keyString(c.keys)})
		}
	case srcKafka:
		var ev events.KafkaEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, bad(err)
		}
		for _, tp := range sortedKeys(ev.Records) {
			for _, r := range ev.Records[tp] {
				key, _ := base64.StdEncoding.DecodeString(r.Key)
				value, err := base64.StdEncoding.DecodeString(r.Value)
				if err != nil {
					return nil, fmt.Errorf("%s: %s offset %d: value is not base64: %v", path, tp, r.Offset, err)
				}
				out = append(out, item{body: string(value), key: string(key), headers: r.Headers})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: an event without records for source %s", path, src)
	}
	return out, nil
}

func recordChange(r events.DynamoDBEventRecord) (*change, error) {
	switch r.EventName {
	case "INSERT", "MODIFY", "REMOVE":
	default:
		return nil, fmt.Errorf("eventName %q: want INSERT, MODIFY or REMOVE", r.EventName)
	}
	if len(r.Change.Keys) == 0 {
		return nil, errors.New("no dynamodb.Keys")
	}
	return &change{op: r.EventName, keys: r.Change.Keys, oldImage: r.Change.OldImage, newImage: r.Change.NewImage}, nil
}

func keyString(keys map[string]events.DynamoDBAttributeValue) string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		v := keys[n]
		switch v.DataType() {
		case events.DataTypeString:
			fmt.Fprintf(&b, "%s=%s ", n, v.String())
		case events.DataTypeNumber:
			fmt.Fprintf(&b, "%s=%s ", n, v.Number())
		default:
			j, _ := json.Marshal(v)
			fmt.Fprintf(&b, "%s=%s ", n, j)
		}
	}
	return strings.TrimSpace(b.String())
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// jsonError describes a JSON syntax error with its line and column.
func jsonError(name string, b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := 1, 1
		for _, c := range b[:min(int(se.Offset), len(b))] {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return fmt.Errorf("%s:%d:%d: invalid JSON: %v", name, line, col, err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

// plural returns "1 record", "2 records".
func plural(n int, word string) string {
	switch {
	case n == 1:
		return fmt.Sprintf("%d %s", n, word)
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
