package batch

// WithUnknownEventField returns s as SQS, Kinesis, DynamoDB or Kafka build
// it when the aws-lambda-go event type has a field the event decoder does
// not read (a newer aws-lambda-go than the decoder was written for): its
// Invoke decodes events with encoding/json. The detection itself is tested
// in internal/eventjson (TestUnknownFindsWhatTheDecodersDoNotRead).
func WithUnknownEventField[E, R, Resp any](s Source[E, R, Resp]) Source[E, R, Resp] {
	unknown := []string{"events.Simulated.newField"}
	s.decode = eventDecoder[E](unknown, nil)
	s.decodeRaw = rawDecoder[E](unknown, s.decodeRaw)
	return s
}
