// Package batch runs the batches that AWS Lambda receives from SQS
// (standard and FIFO queues), Kinesis Data Streams, DynamoDB Streams and
// Kafka (Amazon MSK and self-managed), and returns the partial batch
// response, so that only the records that did not succeed are retried.
//
// # Writing a function
//
// You write one function that handles one record, of your payload's type;
// [New] makes it a Lambda function for a source, and lambda.Start runs it:
//
//	type Order struct {
//		ID  string `json:"id"`
//		Qty int    `json:"qty"`
//	}
//
//	func handle(ctx context.Context, o Order) error {
//		return ship(ctx, o) // an error or a panic fails this record only
//	}
//
//	func main() {
//		lambda.Start(batch.New(batch.SQS(), handle, batch.Options{}))
//	}
//
// The event source mapping must have ReportBatchItemFailures turned on
// (FunctionResponseTypes: [ReportBatchItemFailures] in SAM or
// CloudFormation); without it Lambda ignores the response.
//
// The [Function] decodes Lambda's JSON itself, several times faster than
// encoding/json, decodes each record's payload (for SQS, the message body
// as JSON) into the handler's type, by encoding/json's rules but also
// several times faster ([Options.StdJSON] asks for encoding/json itself),
// calls its Validate() error method if it has one, runs the handler, and
// writes the response Lambda expects:
// {"batchItemFailures":[{"itemIdentifier":"…"}]}. A record whose payload
// does not decode or validate fails alone, with a [*DecodeError] or a
// [*ValidationError], without reaching the handler.
//
// # Sources and payloads
//
// [SQS], [Kinesis], [DynamoDB] and [Kafka] describe the four sources: the
// identifier each reports, which records must stay in order, and where the
// payload is. A handler may also take the source's record type
// (events.SQSMessage, …) to read the record as it is. [Source.Decode]
// changes how payloads are decoded: [SNS] and [EventBridge] unwrap the
// envelopes of those services, and any function of the same shape decodes
// another format. [Records] is the source of records of your own type.
//
// # Failures, ordering and the deadline
//
// A record fails when its handler returns an error or panics (a panic is
// recovered into a [*PanicError]); its identifier then goes into the
// response, in input order, never empty and never twice. On a FIFO queue a
// failure stops the rest of the batch, or of the message group with
// [Options.SkipGroupOnError]; on a stream [Options.StopOnFirstFailure] does
// that. Records are handled one at a time unless [Options.Concurrency] says
// otherwise; records that must stay in order never run at the same time.
// Shortly before the invocation's deadline ([Options.DeadlineMargin]) no
// record starts any more and those not done are reported, so that the
// records that succeeded are not retried with the rest. When every record
// failed the call also returns a [*BatchError], so that Lambda's own retry
// applies.
//
// A partial batch response lowers duplicate processing but does not
// prevent it: an SQS standard queue delivers at least once, a stream is
// read again from the lowest record reported, and a timeout or an error of
// the function makes Lambda retry the whole batch. Handlers must be
// idempotent, for example by writing conditionally on a key that every
// delivery of a record shares ([Record.ID] gives the messageId or sequence
// number), or by wrapping them with the idempotency module, which records
// each key in a DynamoDB table.
//
// # Details, tests and middleware
//
// [Function.Handle] runs an event already decoded into its aws-lambda-go
// type, and [Function.Process] also returns a [Report] of every record's
// [Result]. [Options.Middleware] wraps the handling of each record
// (logging, tracing, metrics), in the style of net/http middleware;
// [RecordFrom] gives a handler or a middleware the [Record] it runs for.
//
// Companion packages: batchtest (event builders and assertions for tests),
// esm (simulators of Lambda's event source mappings), batchslog and
// batchmetrics (logging and CloudWatch metrics), and, as separate modules
// so that this one depends on aws-lambda-go alone, batchotel
// (OpenTelemetry tracing), sqsdelete (deleting successful SQS messages for
// mappings without ReportBatchItemFailures), dynamodbav (DynamoDB
// Streams images into structs) and idempotency (each record's key handled
// once across invocations, with a DynamoDB table).
//
// The guides in the repository's docs directory
// (https://github.com/seed-45ee126e/batch/tree/main/docs) explain what Lambda
// does with each response, and how to test, trace, deploy and measure a
// function.
package batch
