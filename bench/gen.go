package main

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// sources are the event sources of the comparison, as named in file names
// and on the command line. Kafka is not among them: Powertools for AWS
// Lambda (TypeScript) has no Kafka batch processor.
var sources = []string{"sqs", "kinesis", "dynamodb"}

// failEvery is one in how many records of an event the per-record work
// fails: exactly n/failEvery records of each event, chosen by the seed.
const failEvery = 10

// eventFile and expectedFile name the event of a source and size in dir,
// and the partial batch response both sides must return for it.
func eventFile(dir, source string, n int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%d.json", source, n))
}

func expectedFile(dir, source string, n int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%d.expected.json", source, n))
}

// generate writes the event of n records of source into dir, with the
// response it expects, from seed: the same seed gives the same bytes.
func generate(dir, source string, n int, seed int64) error {
	r := rand.New(rand.NewSource(seed ^ int64(n)<<20 ^ int64(len(source))<<40))
	fail := map[int]bool{}
	for _, i := range r.Perm(n)[:n/failEvery] {
		fail[i] = true
	}
	var (
		ev    any
		ids   []string
		start = time.Date(2026, 11, 22, 7, 0, 0, 0, time.UTC)
	)
	switch source {
	case "sqs":
		e := events.SQSEvent{Records: make([]events.SQSMessage, n)}
		for i := range e.Records {
			body := orderJSON(newOrder(r, i, fail[i]))
			sum := md5.Sum(body)
			sent := start.Add(time.Duration(i) * time.Millisecond).UnixMilli()
			e.Records[i] = events.SQSMessage{
				MessageId:     uuid(r),
				ReceiptHandle: "AQEB" + randomBase64(r, 148),
				Body:          string(body),
				Attributes: map[string]string{
					"ApproximateReceiveCount":          "1",
					"SentTimestamp":                    strconv.FormatInt(sent, 10),
					"SenderId":                         "AROAIWPX5BD2BHG722MW4:orders-api",
					"ApproximateFirstReceiveTimestamp": strconv.FormatInt(sent+7, 10),
				},
				MessageAttributes: map[string]events.SQSMessageAttribute{},
				Md5OfBody:         hex.EncodeToString(sum[:]),
				EventSource:       "aws:sqs",
				EventSourceARN:    "arn:aws:sqs:eu-west-1:123456789012:orders",
				AWSRegion:         "eu-west-1",
			}
			if fail[i] {
				ids = append(ids, e.Records[i].MessageId)
			}
		}
		ev = e
	case "kinesis":
		e := events.KinesisEvent{Records: make([]events.KinesisEventRecord, n)}
		for i := range e.Records {
			o := newOrder(r, i, fail[i])
			seq := fmt.Sprintf("49656343818596788466447912349318277932%018d", 100000+i)
			e.Records[i] = events.KinesisEventRecord{
				AwsRegion:         "eu-west-1",
				EventID:           "shardId-000000000003:" + seq,
				EventName:         "aws:kinesis:record",
				EventSource:       "aws:kinesis",
				EventSourceArn:    "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
				EventVersion:      "1.0",
				InvokeIdentityArn: "arn:aws:iam::123456789012:role/orders-consumer",
				Kinesis: events.KinesisRecord{
					ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: start.Add(time.Duration(i) * time.Millisecond)},
					Data:                        orderJSON(o),
					PartitionKey:                o.Customer.ID,
					SequenceNumber:              seq,
					KinesisSchemaVersion:        "1.0",
				},
			}
			if fail[i] {
				ids = append(ids, seq)
			}
		}
		ev = e
	case "dynamodb":
		e := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, n)}
		for i := range e.Records {
			o := newOrder(r, i, fail[i])
			old := o
			old.Status = "NEW"
			seq := fmt.Sprintf("%021d", 4000000000+i)
			e.Records[i] = events.DynamoDBEventRecord{
				AWSRegion:      "eu-west-1",
				EventID:        hex.EncodeToString(randomBytes(r, 16)),
				EventName:      "MODIFY",
				EventSource:    "aws:dynamodb",
				EventVersion:   "1.1",
				EventSourceArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-11-01T00:00:00.000",
				Change: events.DynamoDBStreamRecord{
					ApproximateCreationDateTime: events.SecondsEpochTime{Time: start.Add(time.Duration(i) * time.Second)},
					Keys:                        map[string]events.DynamoDBAttributeValue{"orderId": events.NewStringAttribute(o.OrderID)},
					NewImage:                    image(o),
					OldImage:                    image(old),
					SequenceNumber:              seq,
					SizeBytes:                   int64(300 + r.Intn(200)),
					StreamViewType:              "NEW_AND_OLD_IMAGES",
				},
			}
			if fail[i] {
				ids = append(ids, seq)
			}
		}
		ev = e
	default:
		return fmt.Errorf("unknown source %q (want sqs, kinesis or dynamodb)", source)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := os.WriteFile(eventFile(dir, source, n), b, 0o644); err != nil {
		return err
	}
	want, err := json.Marshal(expectedResponse(ids))
	if err != nil {
		return err
	}
	return os.WriteFile(expectedFile(dir, source, n), want, 0o644)
}

// expectedResponse is the partial batch response that reports ids, the
// same shape for the three sources.
func expectedResponse(ids []string) events.SQSEventResponse {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, id := range ids {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	return resp
}

// image is the DynamoDB image of an order, as a table written with
// attributevalue.MarshalMap holds it.
func image(o Order) map[string]events.DynamoDBAttributeValue {
	num := func(f float64) events.DynamoDBAttributeValue {
		return events.NewNumberAttribute(strconv.FormatFloat(f, 'f', -1, 64))
	}
	items := make([]events.DynamoDBAttributeValue, len(o.Items))
	for k, it := range o.Items {
		items[k] = events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"sku":   events.NewStringAttribute(it.SKU),
			"qty":   events.NewNumberAttribute(strconv.Itoa(it.Qty)),
			"price": num(it.Price),
		})
	}
	return map[string]events.DynamoDBAttributeValue{
		"orderId": events.NewStringAttribute(o.OrderID),
		"status":  events.NewStringAttribute(o.Status),
		"customer": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"id":    events.NewStringAttribute(o.Customer.ID),
			"name":  events.NewStringAttribute(o.Customer.Name),
			"email": events.NewStringAttribute(o.Customer.Email),
		}),
		"items":     events.NewListAttribute(items),
		"total":     num(o.Total),
		"note":      events.NewStringAttribute(o.Note),
		"createdAt": events.NewStringAttribute(o.Created),
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Intn(256))
	}
	return b
}

func randomBase64(r *rand.Rand, n int) string {
	return base64.StdEncoding.EncodeToString(randomBytes(r, n*3/4))[:n]
}

// uuid returns a random version 4 UUID, as SQS message ids are.
func uuid(r *rand.Rand) string {
	b := randomBytes(r, 16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
