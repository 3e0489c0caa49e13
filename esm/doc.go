// Package esm simulates AWS Lambda's event source mappings: it feeds a
// function batches from a simulated queue or stream and does with each
// response what Lambda does (deletes, redeliveries, dead-letter queues,
// checkpoints, bisection, on-failure destinations), until the source is
// drained. The function is anything with an Invoke(ctx, payload) method,
// bytes in and bytes out as Lambda calls it: a *batch.Function, the
// lambda.Handler that lambda.NewHandler makes of a handler function, or a
// compiled function run by the local runner.
//
// The simulators are [SQS] for standard and FIFO queues (batch size,
// visibility timeout, maxReceiveCount and a dead-letter queue, retention),
// [Kinesis] and [DynamoDB] for streams (checkpoint at the lowest reported
// sequence number, MaximumRetryAttempts, BisectBatchOnFunctionError,
// MaximumRecordAge, an on-failure destination), and [Kafka], whose
// partitions resume from the lowest reported offset. They read a
// response as Lambda does: a returned error, a panic or a timeout fails
// the whole batch, and so does an identifier that is empty, null, under a
// wrong key or not in the batch; [SQSConfig.IgnoreBatchItemFailures] and
// [StreamConfig.IgnoreBatchItemFailures] show what happens without
// ReportBatchItemFailures. Run returns a [Trace]: every invocation, every
// record's deliveries and duplicates, its final [State] (processed,
// dead-lettered, expired, discarded), and the records of a FIFO group or a
// stream partition key that succeeded before an earlier one. A
// configuration that Lambda rejects, such as a batch size above 10 for a
// FIFO queue or above 10,000 for any source, makes Run invoke nothing and
// return a [*ConfigError] in [Trace.Err].
//
// Two hooks serve runners and progress displays: OnProgress
// ([SQSConfig.OnProgress], [StreamConfig.OnProgress]) reports a
// [Progress] around each invocation, and [StreamConfig.OnDestination]
// each failure record sent to an on-failure destination. [ReadKinesis] and
// [ReadDynamoDB] apply a stream's rules to records read from elsewhere
// through a [ShardReader], such as a real stream, on the wall clock: the
// local runner (cmd/batchlocal in the repository) reads Kinesis and
// DynamoDB Streams that way, so that its rules are these.
//
// Time is simulated: simulators start their clocks at 2024-01-01T00:00:00Z
// ([Trace.Start]) and move them to the next visibility timeout or retry
// instead of sleeping, so a test of a message received five times takes
// microseconds and gives the same trace on every run. Only the function
// timeout ([SQSConfig.Timeout]) is real time, because handlers see it
// through their context's deadline.
//
// # Where the simulators simplify
//
//   - One poller and one invocation at a time: no scaling of pollers, no
//     concurrent batches, no ParallelizationFactor, no batching window (a
//     batch holds whatever is available, up to the batch size, and a
//     standard queue's batch size above 10 needs none), no payload size
//     limit, no event filtering, no throttling.
//   - A standard SQS queue delivers visible messages in the order they were
//     sent; a real one gives no order and may deliver a message twice.
//   - A FIFO queue delivers, in one batch, the visible messages of every
//     group that has no message in flight, in send order; SQS may choose
//     fewer groups.
//   - FIFO deduplication is not simulated: every message sent is a new one.
//   - A dead-letter move happens when a message that was received
//     maxReceiveCount times would be received again, as in SQS.
//   - A stream reads its shards in turn, one batch at a time. A failed
//     batch is retried after [RetryDelay] of simulated time. A partial
//     failure counts as a failed try of the reported record; the count
//     starts again when the checkpoint moves. When the retries run out,
//     the whole rest of the batch is skipped: its records that the last
//     invocation succeeded with (not reported in a valid response) end
//     processed, the others dead-lettered (with an on-failure destination)
//     or discarded. After a function error or an invalid response, no
//     record of the batch counts as succeeded, for final states and
//     duplicate deliveries alike.
//   - With BisectBatchOnFunctionError, a batch that failed as a whole is
//     split in two halves, retried one after the other, without using up a
//     retry; a partial failure splits the batch at the reported record.
//   - Kinesis and DynamoDB records of a shard are never resharded or
//     trimmed by retention (use MaximumRecordAge and [Kinesis.Advance]).
//   - [Kafka] reads each partition like a shard, one partition per event.
package esm
