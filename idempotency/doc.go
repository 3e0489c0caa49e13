// Package idempotency makes the record handler of a batch.Function
// idempotent: of the records that share a key, the handler handles one,
// once, and the others succeed without it, whichever invocation or
// execution environment receives them.
//
// A partial batch response lowers duplicate processing but does not
// prevent it: an SQS standard queue delivers at least once, a stream is read
// again from the lowest failed record, and a timeout replays the whole
// batch. [Handler] wraps a handler so that each record first claims its key
// in a [Store]:
//
//	store := idempotency.NewDynamoDBStore(dynamodb.NewFromConfig(cfg), idempotency.Table{Name: "idempotency"})
//	h := idempotency.Handler(store, handle, func(o Order) string { return o.ID }, idempotency.Options{})
//	lambda.Start(batch.New(batch.SQS(), h, batch.Options{}))
//
// A record whose key is completed is skipped and succeeds. One whose key is
// in progress in another invocation fails with an [*InProgressError], to
// be retried when that invocation has finished. One whose key was used
// with a different payload fails with a [*MismatchError], permanently. A
// record whose key cannot be read or written fails with a [*StoreError]:
// none succeeds without its key being recorded.
//
// The key is by default the record's identity at its source (the SQS
// messageId, a stream's eventID, a Kafka offset), which catches
// redeliveries; a key computed from the payload, such as an order id, also
// catches a producer that sent the same work twice. A key is locked while
// its record runs, until the record's deadline, so that a crashed
// invocation holds it no longer than it could have run, and remembered
// for [Options.TTL] once completed.
//
// [DynamoDBStore] keeps keys in a DynamoDB table, with conditional writes
// and the table's TTL; [MemoryStore] in one process, for tests; [Cached]
// puts an in-memory cache of completed keys in front of either. This
// module depends on aws-sdk-go-v2's DynamoDB client, so that the core
// module does not.
//
// The guide, with the table's template, the IAM permissions, FIFO queues
// and measured costs, is docs/15-idempotency.md in the repository.
package idempotency
