package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/seed-45ee126e/batch"
)

// ConditionPermanentFailure is the requestContext.condition of the
// documents [Forward] sends. Lambda's own on-failure destinations use
// RetryAttemptsExhausted, RecordAgeExceeded and MaximumPayloadSizeExceeded.
const ConditionPermanentFailure = "PermanentFailure"

// ForwardConfig configures [Forward]: the destination is an SQS queue
// (SQS and QueueURL) or an SNS topic (SNS and TopicARN), exactly one of
// them. The zero value of every other field means the documented default.
type ForwardConfig struct {
	// SQS sends to the queue at QueueURL; usually sqs.NewFromConfig(cfg).
	SQS      SQSSender
	QueueURL string

	// SNS publishes to the topic TopicARN; usually sns.NewFromConfig(cfg).
	SNS      SNSPublisher
	TopicARN string

	// NoPayload sends only the reference to the record (its stream or
	// topic-partition, sequence number or offset), as Lambda's on-failure
	// destinations do, never the record itself; the record can then be
	// read from the stream while it is retained (24 hours by default on
	// Kinesis, always on DynamoDB Streams).
	NoPayload bool

	// MaxMessageSize is the largest document, in bytes, the destination
	// accepts; a document with the record that would be larger is sent
	// without it (see [FailureRecord.PayloadOmitted]). Zero means
	// [DefaultMaxMessageSize], SNS's limit.
	MaxMessageSize int
}

// Forward returns a failure policy for [batch.Options.Divert] on Kinesis
// Data Streams, DynamoDB Streams and Kafka (Amazon MSK and self-managed)
// that sends a JSON document about each permanently failed record, a
// [FailureRecord], to an SQS queue or an SNS topic, so that the record no
// longer holds back its shard or partition:
//
//	fn := batch.New(batch.Kinesis(), handle, batch.Options{
//		Divert: policy.Forward(policy.ForwardConfig{SQS: sqs.NewFromConfig(cfg), QueueURL: url}),
//	})
//
// The document has the shape of the invocation record Lambda sends to an
// on-failure destination (requestContext, version, timestamp, and
// KinesisBatchInfo, DDBStreamBatchInfo or KafkaBatchInfo for a batch of
// this one record), so that a consumer written for those reads it too,
// with condition [ConditionPermanentFailure]. It adds the failure's reason
// and, unless [ForwardConfig.NoPayload], the record itself as payload: an
// event of the source holding this one record, which a redrive tool can
// invoke the function with. Lambda sends only the reference to SQS and
// SNS; Forward sends the record too because a permanently failed record is
// looked at later, often after the stream's retention has dropped it. A
// record too large for the destination goes without its payload, the
// reference alone.
//
// When the send succeeds, the record is diverted ([batch.Diverted]): it
// is not reported to Lambda, so the checkpoint moves past it, and the
// records after it are handled as if it had succeeded; the order of those
// records is unchanged. When the send fails, the policy returns the error
// and the record is reported as failed as if there were no policy. A
// record of another source fails with [ErrUnsupportedRecord].
//
// To a FIFO queue or topic, the MessageGroupId is the record's shard
// (Kinesis: the shard id; DynamoDB Streams: the stream ARN, since its
// events do not name the shard) or topic-partition (Kafka), so that the
// documents of one shard keep their order, and the MessageDeduplicationId
// is a hash of the stream and the record's position, so that a document
// sent again within five minutes lands once. Group ids longer than SQS's
// 128 characters are hashed too.
//
// The function's role needs sqs:SendMessage on the queue or sns:Publish on
// the topic. Forward panics unless exactly one destination is configured.
// The returned function is safe for concurrent use.
func Forward(cfg ForwardConfig) func(ctx context.Context, f batch.Failure) error {
	switch {
	case (cfg.SQS == nil) == (cfg.SNS == nil):
		panic("policy: Forward: set exactly one of ForwardConfig.SQS and ForwardConfig.SNS")
	case cfg.SQS != nil && cfg.QueueURL == "":
		panic("policy: Forward: ForwardConfig.SQS is set, QueueURL is empty")
	case cfg.SNS != nil && cfg.TopicARN == "":
		panic("policy: Forward: ForwardConfig.SNS is set, TopicARN is empty")
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	return func(ctx context.Context, f batch.Failure) error {
		doc, ref, err := failureRecord(ctx, f, time.Now())
		if err != nil {
			return err
		}
		body, err := doc.encode(cfg.NoPayload, cfg.MaxMessageSize)
		if err != nil {
			return err
		}
		return cfg.send(ctx, body, f.ID, ref)
	}
}

// send sends body to the destination of cfg.
func (cfg *ForwardConfig) send(ctx context.Context, body, id string, ref position) error {
	var group, dedup *string
	dest := cfg.QueueURL
	if cfg.SNS != nil {
		dest = cfg.TopicARN
	}
	if isFIFO(dest) {
		group, dedup = ptr(ref.group()), ptr(ref.dedup())
	}
	var err error
	if cfg.SQS != nil {
		_, err = cfg.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &cfg.QueueURL, MessageBody: &body, MessageGroupId: group, MessageDeduplicationId: dedup})
	} else {
		_, err = cfg.SNS.Publish(ctx, &sns.PublishInput{TopicArn: &cfg.TopicARN, Message: &body, MessageGroupId: group, MessageDeduplicationId: dedup})
	}
	if err != nil {
		return fmt.Errorf("policy: forwarding record %s to %s: %w", id, dest, err)
	}
	return nil
}

// FailureRecord is the JSON document [Forward] sends about a record that
// failed permanently: Lambda's on-failure invocation record for a batch of
// that one record, plus the reason and the record. Exactly one of the
// BatchInfo fields is set. Decode a message of the destination into it to
// read one.
type FailureRecord struct {
	RequestContext RequestContext `json:"requestContext"`
	Version        string         `json:"version"`   // "1.0"
	Timestamp      string         `json:"timestamp"` // when the document was made, RFC 3339 in UTC with milliseconds

	KinesisBatchInfo   *StreamBatchInfo `json:"KinesisBatchInfo,omitempty"`
	DDBStreamBatchInfo *StreamBatchInfo `json:"DDBStreamBatchInfo,omitempty"`
	KafkaBatchInfo     *KafkaBatchInfo  `json:"KafkaBatchInfo,omitempty"`

	// Reason is the text of the record's error, at most [MaxReason]
	// bytes.
	Reason string `json:"reason"`

	// Payload is the event of the source holding this one record as
	// Lambda delivered it: {"Records":[…]} for Kinesis and DynamoDB
	// Streams, {"eventSource":"aws:kafka","records":{"<topic>-<partition>":[…]}}
	// for Kafka (without the event's eventSourceArn and bootstrapServers,
	// which a record does not carry). Absent with
	// [ForwardConfig.NoPayload], and when the document would not fit in
	// [ForwardConfig.MaxMessageSize]; PayloadOmitted is then true.
	Payload        json.RawMessage `json:"payload,omitempty"`
	PayloadOmitted bool            `json:"payloadOmitted,omitempty"`
}

// RequestContext identifies the invocation in which the record failed.
type RequestContext struct {
	RequestID   string `json:"requestId,omitempty"`   // from lambdacontext, when the context has one
	FunctionARN string `json:"functionArn,omitempty"` // the invoked function's ARN, likewise
	Condition   string `json:"condition"`             // ConditionPermanentFailure
}

// StreamBatchInfo locates the record in a Kinesis or DynamoDB stream: the
// start and end sequence numbers are both the record's, and the batch
// size is 1.
type StreamBatchInfo struct {
	ShardID                         string `json:"shardId,omitempty"` // Kinesis only: DynamoDB events do not name the shard
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord,omitempty"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord,omitempty"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// KafkaBatchInfo locates the record in its topic-partition: RecordsInfo
// has one key, "<topic>-<partition>", whose first and last offsets are
// both the record's. EventSourceARN and BootstrapServers, which Lambda
// sets, are not known from a record and are left out.
type KafkaBatchInfo struct {
	BatchSize   int                        `json:"batchSize"`
	PayloadSize int                        `json:"payloadSize"` // bytes of the record's key and value
	RecordsInfo map[string]KafkaRecordInfo `json:"recordsInfo"`
}

// KafkaRecordInfo gives the offsets and timestamps of the records of a
// topic-partition; offsets are decimal strings, as Lambda writes them.
type KafkaRecordInfo struct {
	FirstRecordOffset    string `json:"firstRecordOffset"`
	LastRecordOffset     string `json:"lastRecordOffset"`
	FirstRecordTimestamp string `json:"firstRecordTimestamp,omitempty"`
	LastRecordTimestamp  string `json:"lastRecordTimestamp,omitempty"`
}

// position is where a record is, for FIFO group and deduplication ids.
type position struct {
	stream string // stream ARN, or topic-partition for Kafka
	shard  string // ordering unit: shard id, stream ARN, topic-partition
	id     string // the record's position within the stream
}

// group returns the MessageGroupId of the record's documents.
func (p position) group() string {
	if len(p.shard) <= 128 {
		return p.shard
	}
	return hash(p.shard)
}

// dedup returns the MessageDeduplicationId of the record's document.
func (p position) dedup() string { return hash(p.stream + "\x00" + p.id) }

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// lambdaTime formats t as Lambda writes timestamps in invocation records.
func lambdaTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// failureRecord builds the document of f, made at now.
func failureRecord(ctx context.Context, f batch.Failure, now time.Time) (*FailureRecord, position, error) {
	doc := &FailureRecord{
		RequestContext: RequestContext{Condition: ConditionPermanentFailure},
		Version:        "1.0",
		Timestamp:      lambdaTime(now),
		Reason:         reason(f.Err),
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		doc.RequestContext.RequestID = lc.AwsRequestID
		doc.RequestContext.FunctionARN = lc.InvokedFunctionArn
	}
	var (
		pos     position
		payload any
	)
	switch r := f.Value.(type) {
	case *events.KinesisEventRecord:
		shard, _, ok := strings.Cut(r.EventID, ":") // shardId-…:sequence number
		if !ok {
			shard = ""
		}
		arrival := ""
		if t := r.Kinesis.ApproximateArrivalTimestamp.Time; !t.IsZero() {
			arrival = lambdaTime(t)
		}
		doc.KinesisBatchInfo = &StreamBatchInfo{
			ShardID:                         shard,
			StartSequenceNumber:             r.Kinesis.SequenceNumber,
			EndSequenceNumber:               r.Kinesis.SequenceNumber,
			ApproximateArrivalOfFirstRecord: arrival,
			ApproximateArrivalOfLastRecord:  arrival,
			BatchSize:                       1,
			StreamARN:                       r.EventSourceArn,
		}
		pos = position{stream: r.EventSourceArn, shard: shard, id: r.EventID + "/" + r.Kinesis.SequenceNumber}
		if pos.shard == "" {
			pos.shard = r.EventSourceArn
		}
		payload = events.KinesisEvent{Records: []events.KinesisEventRecord{*r}}
	case *events.DynamoDBEventRecord:
		created := ""
		if t := r.Change.ApproximateCreationDateTime.Time; !t.IsZero() {
			created = t.UTC().Format(time.RFC3339)
		}
		doc.DDBStreamBatchInfo = &StreamBatchInfo{
			StartSequenceNumber:             r.Change.SequenceNumber,
			EndSequenceNumber:               r.Change.SequenceNumber,
			ApproximateArrivalOfFirstRecord: created,
			ApproximateArrivalOfLastRecord:  created,
			BatchSize:                       1,
			StreamARN:                       r.EventSourceArn,
		}
		pos = position{stream: r.EventSourceArn, shard: r.EventSourceArn, id: r.Change.SequenceNumber}
		payload = events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{*r}}
	case *events.KafkaRecord:
		tp := r.Topic + "-" + strconv.FormatInt(r.Partition, 10)
		offset := strconv.FormatInt(r.Offset, 10)
		ts := ""
		if t := r.Timestamp.Time; !t.IsZero() {
			ts = lambdaTime(t)
		}
		doc.KafkaBatchInfo = &KafkaBatchInfo{
			BatchSize:   1,
			PayloadSize: len(r.Key) + len(r.Value),
			RecordsInfo: map[string]KafkaRecordInfo{tp: {
				FirstRecordOffset: offset, LastRecordOffset: offset,
				FirstRecordTimestamp: ts, LastRecordTimestamp: ts,
			}},
		}
		pos = position{stream: tp, shard: tp, id: offset}
		payload = struct {
			EventSource string                          `json:"eventSource"`
			Records     map[string][]events.KafkaRecord `json:"records"`
		}{"aws:kafka", map[string][]events.KafkaRecord{tp: {*r}}}
	default:
		return nil, position{}, fmt.Errorf("policy: Forward: %w: %T", ErrUnsupportedRecord, f.Value)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return nil, position{}, fmt.Errorf("policy: Forward: encoding record %s: %w", f.ID, err)
	}
	doc.Payload = p
	return doc, pos, nil
}

// encode returns the document as it is sent: without its payload when
// noPayload is set or when it would be larger than max bytes.
func (doc *FailureRecord) encode(noPayload bool, max int) (string, error) {
	if !noPayload {
		b, err := json.Marshal(doc)
		if err != nil {
			return "", fmt.Errorf("policy: Forward: %w", err)
		}
		if len(b) <= max {
			return string(b), nil
		}
	}
	doc.Payload, doc.PayloadOmitted = nil, true
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("policy: Forward: %w", err)
	}
	return string(b), nil
}
