// Package sqsdelete processes an SQS batch for a Lambda function whose event
// source mapping does not use ReportBatchItemFailures.
//
// Without ReportBatchItemFailures, Lambda knows only two outcomes: the
// function returned nil, and Lambda deletes every message of the batch; or it
// returned an error, and every message becomes visible again once its
// visibility timeout expires. To retry only the messages that failed, a
// [Function] runs the handler over the batch with the engine of package
// batch, deletes the messages that succeeded itself (with
// sqs:DeleteMessageBatch, at most ten per call), and then returns an [*Error]
// naming the messages that did not succeed, so that only those return to the
// queue. When every message succeeded it deletes nothing and returns nil.
//
// New functions should prefer ReportBatchItemFailures and [batch.New]:
// Lambda then deletes the successful messages itself, with no extra API call
// and no delete failure for the function to handle. Use this package for
// event source mappings that cannot be changed, or to migrate from the
// PartialSQSProcessor of Powertools for AWS Lambda.
//
// FIFO queues keep their order: the first failure stops the batch (or, with
// [batch.Options.SkipGroupOnError], its message group), and the messages
// not processed are not deleted, so they come back after the failed one.
// Deletes keep the order of each message group: a message that succeeded
// but could not be deleted comes back to the queue, so no later message of
// its group may be deleted. Those messages stay on the queue, reported in
// [Error.NotDeleted] with [ErrEarlierNotDeleted], and are handled again
// after it. Messages of other groups are deleted as usual: SQS keeps order
// within a message group only. Since SQS handles the entries of one
// DeleteMessageBatch call independently, this costs round trips: the
// messages are deleted in rounds, round k holding the k-th message of every
// group (ten to a call, up to [Config.DeleteConcurrency] calls at once), so
// a batch takes as many sequential rounds as its largest group has
// messages to delete. The groups are the ones the engine handled the
// messages in ([batch.Result.Group]), so FIFO detection and
// [batch.Options.FIFO] apply to the deletes as to the handling. Standard
// queues have no order, and their deletes are all sent at once. The deletes
// happen only when some message failed.
//
// The function's role needs sqs:DeleteMessage on the queue (SQS authorizes
// DeleteMessageBatch with it), which an SQS event source mapping requires
// anyway.
package sqsdelete
