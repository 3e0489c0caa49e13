// Package batchotel traces the records of a batch with OpenTelemetry: one
// span per record, following OpenTelemetry's semantic conventions for
// messaging (version 1.26.0).
//
// One middleware, [New], serves every source:
//
//	fn := batch.New(batch.SQS(), handle, batch.Options{
//		Middleware: []batch.Middleware{batchotel.New(batchotel.Config{}), batchslog.New(logger, batchslog.Options{})},
//	})
//
// Put it first, outermost: its span then covers the middlewares after it,
// the decoding of the payload and the handler, and they receive the
// record's span in their context (a log line can carry its trace and span
// ids).
//
// A record's span is named "process <destination>" (the queue, stream, table
// or topic), has kind consumer, and is a child of the span in the context the
// handler receives: the invocation's span when the Lambda function is
// instrumented. When the record carries its producer's trace context, the
// span links to it: the AWSTraceHeader system attribute of an SQS message
// (X-Ray format), or a W3C traceparent in an SQS message attribute or a Kafka
// header. A record whose handler fails (panics included: the Function
// recovers them into a [*batch.PanicError] before any middleware sees them),
// or whose payload does not decode, gets an exception event and the span
// status Error.
//
// Attributes: messaging.system, messaging.operation.type and
// messaging.operation.name (both "process"),
// messaging.destination.name, messaging.message.id (SQS messageId; Kinesis
// and DynamoDB sequence number, the identifier Lambda's response uses),
// messaging.batch.message_count (the size of the batch, from
// [batch.Record]), messaging.destination.partition.id (Kinesis shard,
// Kafka partition), messaging.kafka.offset, and cloud.region and
// cloud.account.id read from the event source ARN. On failure, error.type is
// the Go type of the error.
//
// The semantic conventions have no messaging.system value for Kinesis or
// DynamoDB Streams; this package uses [SystemKinesis] and [SystemDynamoDB],
// written like the newest AWS value of the registry ("aws.sns").
//
// Records skipped after an earlier failure or not started before the
// deadline never reach middleware and get no span; count them from the
// [batch.Report]. A record of a type of one's own ([batch.Records]) gets a
// span named "process" whose message id is its identifier.
package batchotel
