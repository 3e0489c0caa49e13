package eventjson

import (
	"strconv"
	"unicode/utf8"
)

// AppendItemFailures appends the partial batch response of SQS, Kinesis or
// DynamoDB Streams with the given identifiers, byte for byte what
// lambda.Start writes for events.SQSEventResponse (and its Kinesis and
// DynamoDB twins): json.Encoder output without HTML escaping and without the
// trailing newline, which aws-lambda-go strips. id reads the identifier of a
// failure, so that each response type's failures are written as they are.
func AppendItemFailures[F any](dst []byte, failures []F, id func(F) string) []byte {
	dst = append(dst, `{"batchItemFailures":[`...)
	for i, f := range failures {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"itemIdentifier":`...)
		dst = AppendString(dst, id(f))
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// AppendKafkaItemFailures appends the Kafka partial batch response with the
// given failures, as lambda.Start would write it for the response type
// batch.KafkaEventResponse; item reads the partition ("<topic>-<partition>")
// and the offset of a failure.
func AppendKafkaItemFailures[F any](dst []byte, failures []F, item func(F) (partition string, offset int64)) []byte {
	dst = append(dst, `{"batchItemFailures":[`...)
	for i, f := range failures {
		if i > 0 {
			dst = append(dst, ',')
		}
		partition, offset := item(f)
		dst = append(dst, `{"itemIdentifier":{"partition":`...)
		dst = AppendString(dst, partition)
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, offset, 10)
		dst = append(dst, "}}"...)
	}
	return append(dst, "]}"...)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string the way encoding/json does without
// HTML escaping: quotes, backslashes and control characters escaped, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
