package batch

import "strings"

// FIFOMode says how an entry point decides whether records come from a FIFO
// queue.
type FIFOMode uint8

const (
	// FIFODetect, the zero value, treats an SQS batch as FIFO when an
	// eventSourceARN of its records ends in ".fifo". The MessageGroupId
	// attribute is not the signal: fair standard queues carry it too.
	FIFODetect FIFOMode = iota
	// FIFOOn treats every batch as coming from a FIFO queue.
	FIFOOn
	// FIFOOff treats every batch as coming from a standard queue, even one
	// whose ARN ends in ".fifo". Ordering is then not preserved.
	FIFOOff
)

// isFIFOQueueARN reports whether arn names an SQS FIFO queue.
func isFIFOQueueARN(arn string) bool { return strings.HasSuffix(arn, ".fifo") }
