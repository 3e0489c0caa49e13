// Package examples holds Lambda functions built with batch, one per event
// source, each with a SAM template and a sample event in events/. This
// package embeds the sample events for the batchdemo command.
package examples

import "embed"

// Events holds each example's sample batch, at <example>/events/event.json.
// The sqsdelete example is a module of its own (it needs the AWS SDK), so
// it cannot be embedded here, and batchdemo does not run it; its test runs
// it on its sample batch instead.
//
//go:embed sqs/events/event.json sqsfifo/events/event.json kinesis/events/event.json
//go:embed dynamodb/events/event.json kafka/events/event.json
var Events embed.FS
