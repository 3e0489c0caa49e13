package main

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/esm"
)

// runEmbedded runs fn against an in-memory queue or stream holding items:
// the simulators of package esm, the one model of Lambda's event source
// mappings in this repository, which its tests use too. Their clock is
// simulated: waiting for a visibility timeout or a retry takes no time;
// the function's own timeout is real, enforced by its Runtime API.
func runEmbedded(ctx context.Context, o *runOptions, fn esm.Function, items []item, onProgress func(esm.Progress), labels map[string]string) *esm.Trace {
	stream := o.streamConfig(onProgress)
	stream.Shards = o.shards
	switch o.source {
	case srcKinesis:
		sim := esm.NewKinesis(o.stream, stream)
		for _, it := range items {
			sim.Put(it.key, []byte(it.body))
		}
		return sim.Run(ctx, fn)
	case srcDynamoDB:
		sim := esm.NewDynamoDB(o.table, stream)
		for _, it := range items {
			c := it.change
			var seq string
			switch c.op {
			case "INSERT":
				seq = sim.Insert(c.keys, c.newImage)
			case "MODIFY":
				seq = sim.Modify(c.keys, c.oldImage, c.newImage)
			default:
				seq = sim.Remove(c.keys, c.oldImage)
			}
			labels[seq] = changeLabel(c.op, c.keys, c.oldImage, c.newImage)
		}
		return sim.Run(ctx, fn)
	case srcKafka:
		sim := esm.NewKafka(o.topic, stream)
		for _, it := range items {
			r := events.KafkaRecord{Value: base64.StdEncoding.EncodeToString([]byte(it.body)), Headers: it.headers}
			if it.key != "" {
				r.Key = base64.StdEncoding.EncodeToString([]byte(it.key))
			}
			sim.ProduceRecord(r)
		}
		return sim.Run(ctx, fn)
	}
	sim := esm.NewSQS(o.queue, esm.SQSConfig{
		BatchSize:               o.batchSize,
		VisibilityTimeout:       o.visibility,
		MaxReceiveCount:         o.maxReceive,
		RetentionPeriod:         o.retention,
		IgnoreBatchItemFailures: o.noReport,
		MaxInvocations:          o.maxInvocations,
		OnProgress:              onProgress,
	})
	for _, it := range items {
		m := events.SQSMessage{Body: it.body, MessageAttributes: it.attrs}
		if it.key != "" {
			m.Attributes = map[string]string{"MessageGroupId": it.key}
		}
		sim.SendMessage(m)
	}
	return sim.Run(ctx, fn)
}

// changeLabel describes a DynamoDB change for the summary, which has no
// payload to show: REMOVE orderId="o-1" {status: OPEN}.
func changeLabel(op string, keys, oldImage, newImage map[string]events.DynamoDBAttributeValue) string {
	img := newImage
	if op == "REMOVE" {
		img = oldImage
	}
	var rest []string
	for _, k := range sortedKeys(img) {
		if _, key := keys[k]; key {
			continue
		}
		if v := img[k]; v.DataType() == events.DataTypeString {
			rest = append(rest, k+": "+v.String())
		}
	}
	return op + " " + keyString(keys) + " {" + strings.Join(rest, ", ") + "}"
}
