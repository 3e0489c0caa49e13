// Package examples holds Lambda functions built with batch, one per event
// source, each with a SAM template and a sample event in events/. This
// package embeds the sample events for the batchdemo command.
package examples

import "embed"

// Events holds each example's sample batch, at <example>/events/event.json.
//
//go:embed */events/event.json
var Events embed.FS
