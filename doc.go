// Package batch processes the batches that AWS Lambda receives from SQS
// (standard and FIFO queues), Kinesis Data Streams, DynamoDB Streams and
// Kafka (Amazon MSK and self-managed), and returns the partial batch
// response, so that only the records that did not succeed are retried.
//
// You write one [Handler] that handles one record. An entry point runs it over
// the batch and returns the response Lambda expects from a function whose
// event source mapping has ReportBatchItemFailures turned on:
//
//	var proc batch.Processor // the zero value is ready to use
//
//	func handler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
//		return proc.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
//			return process(ctx, m.Body)
//		})
//	}
//
// A record fails when its handler returns an error or panics; its identifier
// then goes into the response's batchItemFailures. The response is in input
// order and never holds an empty or duplicate identifier.
//
// The [Processor] configures concurrency ([Processor.Concurrency]), ordering
// (FIFO queues, [Processor.SkipGroupOnError], [Processor.StopOnFirstFailure]),
// the invocation deadline ([Processor.DeadlineMargin]) and what happens when
// every record failed ([BatchError], [Processor.NoBatchError]). Its zero value
// handles records one at a time, stops a FIFO batch at its first failure, and
// stops starting records shortly before the Lambda deadline.
//
// Typed adapters such as [SQSJSON], [KinesisJSON] and [KafkaJSON] decode
// and validate each record's payload into a Go type before the handler sees
// it; a payload that does not decode fails its record alone.
//
// [SQSHandler], [KinesisHandler], [DynamoDBHandler] and [KafkaHandler] build
// a ready Lambda handler (lambda.Start accepts it) that decodes the raw event
// with the library's own decoder, several times faster than encoding/json,
// runs the batch and encodes the response:
//
//	func main() { lambda.Start(batch.SQSHandler(batch.Processor{}, handle)) }
//
// Per-record behaviour such as logging, tracing or metrics is added with
// [Middleware] and [Wrap]; [RecordIndex] tells a middleware which record it
// is wrapping. For the outcome of every record, call [Process] with a
// [Source] and read the [Report]; the same call runs any record type of your
// own.
//
// Companion packages: batchtest (event builders and simulators of Lambda's
// event source mappings, for tests), batchslog and batchmetrics (logging and
// CloudWatch metrics), and, as separate modules so the core keeps its single
// dependency, batchotel (OpenTelemetry tracing), sqsdelete (deleting
// successful SQS messages for mappings without ReportBatchItemFailures) and
// dynamodbav (DynamoDB Streams images into structs).
package batch
