// Package policy holds failure policies for the functions of package
// batch that use AWS: where a record that can never succeed goes, and when
// a record that may succeed later comes back.
//
// The core module classifies failures without the AWS SDK: a handler marks
// one permanent with batch.Permanent or batch.ErrPermanent (a payload that
// does not decode or validate is permanent by default), and the Function
// hands it to [batch.Options.Divert]; the records Lambda will retry go to
// [batch.Options.Retry]. This package fills those two fields with
// aws-sdk-go-v2:
//
//   - [DeadLetter] (Divert, SQS): sends a permanently failed message to a
//     dead-letter queue, the source queue's redrive target or one
//     configured, with its body and attributes and the reason; Lambda then
//     deletes it, and on a FIFO queue its group goes on.
//   - [Forward] (Divert, Kinesis, DynamoDB Streams, Kafka): sends a JSON
//     document with the record and the reason to an SQS queue or SNS
//     topic; the checkpoint then moves past the record, and its shard or
//     partition goes on.
//   - [Backoff] (Retry, SQS): sets the visibility timeout of each message
//     to retry from its receive count (exponential, capped, with jitter),
//     so that a failing downstream is retried less and less often; a FIFO
//     group waits as one.
//
// Together, on SQS:
//
//	c := sqs.NewFromConfig(cfg)
//	fn := batch.New(batch.SQS(), handle, batch.Options{
//		Divert:  policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
//		Retry:   policy.Backoff(policy.BackoffConfig{Client: c}),
//		Reserve: time.Second,
//	})
//	lambda.Start(fn)
//
// A policy never loses a record: when its call to AWS fails, the record is
// reported to Lambda as failed, as without the policy.
//
// # Permissions
//
// The function's execution role needs, besides what its event source
// mapping needs:
//
//   - DeadLetter: sqs:SendMessage on the dead-letter queue, and, unless
//     [DeadLetterConfig.Target] is set, sqs:GetQueueAttributes on the
//     source queue (which the mapping needs anyway).
//   - Forward: sqs:SendMessage on the queue, or sns:Publish on the topic.
//   - Backoff: sqs:ChangeMessageVisibility on the source queue.
//
// A queue or topic encrypted with a customer managed KMS key also needs
// kms:GenerateDataKey and kms:Decrypt on that key for sending to it (the
// AWS managed keys need no grant); changing a message's visibility needs
// none.
//
// # Tests
//
// [SimClient] runs DeadLetter and Backoff against a simulated queue of
// package esm, in simulated time; any fake of the client interfaces
// ([DeadLetterClient], [BackoffClient], [SQSSender], [SNSPublisher]) serves
// unit tests too.
package policy
