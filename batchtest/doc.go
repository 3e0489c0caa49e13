// Package batchtest helps test a function that handles AWS Lambda batches,
// in the spirit of net/http/httptest.
//
// Event builders produce records the way Lambda delivers them, with
// realistic and deterministic identifiers: [SQSQueue] (UUID message ids,
// receipt handles, SentTimestamp, ApproximateReceiveCount, and on FIFO
// queues MessageGroupId, MessageDeduplicationId and SequenceNumber),
// [KinesisStream] (56-digit sequence numbers increasing per shard, eventID
// "shardId-…:<sequence number>", partition keys hashed to shards),
// [DynamoDBTable] (Keys, NewImage, OldImage, SequenceNumber) and
// [KafkaTopic] (records keyed "<topic>-<partition>", base64 key and value).
// Timestamps start at 2024-01-01T00:00:00Z, so the same calls give the same
// events on every run.
//
// [AssertFailures] compares a partial batch response, typed or in the JSON
// a function returns, with the records expected to fail, and reads it as
// Lambda does: a response Lambda would reject as a whole fails the test.
//
// To see what Lambda's event source mappings do with a function's
// responses over many invocations (redeliveries, dead-letter queues,
// stream checkpoints, FIFO order), run it in a simulator of package esm.
package batchtest
