// Package sqsdelete processes an SQS batch for a Lambda function whose event
// source mapping does not use ReportBatchItemFailures.
//
// Without ReportBatchItemFailures, Lambda knows only two outcomes: the
// function returned nil, and Lambda deletes every message of the batch; or it
// returned an error, and every message becomes visible again once its
// visibility timeout expires. To retry only the messages that failed, a
// [Processor] runs the handler over the batch with the engine of package
// batch, deletes the messages that succeeded itself (with
// sqs:DeleteMessageBatch, at most ten per call), and then returns an [*Error]
// naming the messages that did not succeed, so that only those return to the
// queue. When every message succeeded it deletes nothing and returns nil.
//
// New functions should prefer ReportBatchItemFailures and [batch.Processor.SQS]:
// Lambda then deletes the successful messages itself, with no extra API call
// and no delete failure for the function to handle. Use this package for
// event source mappings that cannot be changed, or to migrate from the
// PartialSQSProcessor of Powertools for AWS Lambda.
//
// FIFO queues keep their order: the first failure stops the batch (or, with
// [batch.Processor.SkipGroupOnError], its message group), and the messages
// not processed are not deleted, so they come back after the failed one.
// Deletes follow the same rule. A message that succeeded but could not be
// deleted comes back to the queue too, so no message after it may be
// deleted: none after it in the batch by default, none after it in its
// message group with SkipGroupOnError. Those messages stay on the queue,
// reported in [Error.NotDeleted] with [ErrEarlierNotDeleted], and are
// handled again after it. Since SQS handles the entries of one
// DeleteMessageBatch call independently, this costs round trips: by
// default a FIFO batch's messages are deleted one call at a time, in batch
// order (up to ten sequential calls for the ten messages of a FIFO event
// source mapping's largest batch, instead of one); with SkipGroupOnError
// they are deleted in rounds, round k holding the k-th message of every
// group (ten to a call, up to [Processor.DeleteConcurrency] calls at once),
// so a batch takes as many sequential rounds as its largest group has
// messages to delete. Standard queues have no order, and their deletes are
// all sent at once. The deletes happen only when some message failed.
//
// The function's role needs sqs:DeleteMessage on the queue (SQS authorizes
// DeleteMessageBatch with it), which an SQS event source mapping requires
// anyway.
package sqsdelete
