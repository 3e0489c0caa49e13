package eventjson_test

import (
	"encoding/base64"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// gen writes random events in the shape Lambda sends, with the variations
// a decoder must get right: escapes, surrogate pairs, invalid UTF-8, keys
// in any order, unknown and repeated keys, keys in another case, nulls.
type gen struct {
	r *rand.Rand
	b []byte
}

type fieldGen struct {
	name  string
	value func()
}

func (g *gen) chance(n int) bool { return g.r.Intn(n) == 0 }

func (g *gen) raw(s string) { g.b = append(g.b, s...) }

// obj writes an object with the fields in random order, sometimes with an
// unknown field, a repeated field or a field name in another case.
func (g *gen) obj(fields ...fieldGen) {
	if g.chance(50) {
		g.raw("null")
		return
	}
	g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	g.raw("{")
	first := true
	sep := func() {
		if !first {
			g.raw(",")
		}
		first = false
		if g.chance(10) {
			g.raw(" \n\t")
		}
	}
	for _, f := range fields {
		if g.chance(8) {
			continue
		}
		n := 1
		if g.chance(20) {
			n = 2
		}
		for ; n > 0; n-- {
			sep()
			name := f.name
			switch {
			case g.chance(25):
				name = strings.ToUpper(name)
			case g.chance(25):
				name = strings.ToLower(name)
			}
			g.quote(name)
			g.raw(":")
			if g.chance(30) {
				g.raw("null")
			} else {
				f.value()
			}
		}
	}
	if g.chance(10) {
		sep()
		g.quote("unknown" + strconv.Itoa(g.r.Intn(3)))
		g.raw(":")
		g.any(3)
	}
	g.raw("}")
}

func (g *gen) arr(n int, elem func()) {
	g.raw("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			g.raw(",")
		}
		elem()
	}
	g.raw("]")
}

// any writes an arbitrary JSON value.
func (g *gen) any(depth int) {
	switch k := g.r.Intn(7); {
	case k == 0 && depth > 0:
		g.arr(g.r.Intn(3), func() { g.any(depth - 1) })
	case k == 1 && depth > 0:
		g.raw("{")
		for i, n := 0, g.r.Intn(3); i < n; i++ {
			if i > 0 {
				g.raw(",")
			}
			g.str()
			g.raw(":")
			g.any(depth - 1)
		}
		g.raw("}")
	case k == 2:
		g.num()
	case k == 3:
		g.raw([]string{"true", "false", "null"}[g.r.Intn(3)])
	default:
		g.str()
	}
}

func (g *gen) num() {
	g.raw([]string{"0", "-1", "12345678901234", "1.5", "-2.25e3", "1E-2", "1e400", "9223372036854775808"}[g.r.Intn(8)])
}

func (g *gen) int() {
	if g.chance(20) {
		g.num()
		return
	}
	g.raw(strconv.FormatInt(g.r.Int63n(1<<40)-1<<20, 10))
}

var pieces = []string{
	"a", "Z", "order#1", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u0041", "\\u00e9",
	"\\u20ac", "\\ud83d\\ude00", "\\ud800", "\\udc00x", "é", "€", "😀", "\u2028", "\xff", "\xc3(", "\xed\xa0\x80",
	"<&>", "{\\\"k\\\":1}",
}

// str writes a JSON string made of random pieces.
func (g *gen) str() {
	g.raw(`"`)
	for i, n := 0, g.r.Intn(6); i < n; i++ {
		if g.chance(2) {
			g.raw("abcdefghij"[:1+g.r.Intn(9)])
		} else {
			g.raw(pieces[g.r.Intn(len(pieces))])
		}
	}
	g.raw(`"`)
}

// b64 writes base64 data, sometimes malformed.
func (g *gen) b64() {
	data := make([]byte, g.r.Intn(12))
	g.r.Read(data)
	s := base64.StdEncoding.EncodeToString(data)
	switch {
	case g.chance(30) && len(s) > 0:
		s = s[:len(s)-1]
	case g.chance(30):
		s = strings.ReplaceAll(s, "/", `\/`)
	case g.chance(40):
		s = base64.URLEncoding.EncodeToString(data)
	}
	g.raw(`"` + s + `"`)
}

func (g *gen) records(n int, rec func()) {
	g.raw(`{"Records":`)
	g.arr(n, rec)
	if g.chance(10) {
		g.raw(`,"extra":`)
		g.any(2)
	}
	g.raw("}")
}

func (g *gen) sqs() {
	g.records(1+g.r.Intn(4), func() {
		g.obj(
			fieldGen{"messageId", g.str},
			fieldGen{"receiptHandle", g.str},
			fieldGen{"body", g.str},
			fieldGen{"md5OfBody", g.str},
			fieldGen{"md5OfMessageAttributes", g.str},
			fieldGen{"attributes", func() {
				g.raw(`{"ApproximateReceiveCount":"1","MessageGroupId":`)
				g.str()
				g.raw("}")
			}},
			fieldGen{"messageAttributes", func() {
				g.raw(`{"a":`)
				g.obj(
					fieldGen{"stringValue", g.str},
					fieldGen{"binaryValue", g.b64},
					fieldGen{"stringListValues", func() { g.arr(g.r.Intn(3), g.str) }},
					fieldGen{"binaryListValues", func() { g.arr(g.r.Intn(3), g.b64) }},
					fieldGen{"dataType", g.str},
				)
				g.raw("}")
			}},
			fieldGen{"eventSourceARN", g.str},
			fieldGen{"eventSource", g.str},
			fieldGen{"awsRegion", g.str},
		)
	})
}

func (g *gen) kinesis() {
	g.records(1+g.r.Intn(4), func() {
		g.obj(
			fieldGen{"awsRegion", g.str},
			fieldGen{"eventID", g.str},
			fieldGen{"eventName", g.str},
			fieldGen{"eventSource", g.str},
			fieldGen{"eventSourceARN", g.str},
			fieldGen{"eventVersion", g.str},
			fieldGen{"invokeIdentityArn", g.str},
			fieldGen{"kinesis", func() {
				g.obj(
					fieldGen{"approximateArrivalTimestamp", func() {
						g.raw(strconv.FormatFloat(g.r.Float64()*2e9, 'f', g.r.Intn(7), 64))
					}},
					fieldGen{"data", g.b64},
					fieldGen{"encryptionType", g.str},
					fieldGen{"partitionKey", g.str},
					fieldGen{"sequenceNumber", g.str},
					fieldGen{"kinesisSchemaVersion", g.str},
				)
			}},
		)
	})
}

// randomEvent returns a random event of the named source.
func randomEvent(r *rand.Rand, name string) []byte {
	g := &gen{r: r}
	switch name {
	case "sqs":
		g.sqs()
	case "kinesis":
		g.kinesis()
	case "dynamodb":
		g.dynamodb()
	case "kafka":
		g.kafka()
	}
	return g.b
}

func TestDecodeMatchesEncodingJSONOnRandomEvents(t *testing.T) {
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(1))
			for i := 0; i < 1000; i++ {
				compare(t, src, randomEvent(r, src.name))
				if t.Failed() {
					return
				}
			}
		})
	}
}

// attr writes a DynamoDB attribute value, nested up to depth, sometimes
// malformed (two types, an unknown type, a value of the wrong JSON type).
func (g *gen) attr(depth int) {
	switch {
	case g.chance(60):
		g.raw(`{"S":"a","N":"1"}`)
		return
	case g.chance(60):
		g.raw(`{"X":1}`)
		return
	case g.chance(60):
		g.raw(`{"N":`)
		g.num()
		g.raw(`}`)
		return
	case g.chance(80):
		g.raw(`{"S":1,"S":"x"}`)
		return
	}
	types := []string{"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS"}
	if depth > 0 {
		types = append(types, "L", "M", "L", "M")
	}
	t := types[g.r.Intn(len(types))]
	g.raw(`{"` + t + `":`)
	switch t {
	case "S":
		g.str()
	case "N":
		g.raw(`"` + strconv.Itoa(g.r.Intn(1000)-500) + `"`)
	case "B":
		g.b64()
	case "BOOL":
		g.raw([]string{"true", "false"}[g.r.Intn(2)])
	case "NULL":
		g.raw("true")
	case "SS":
		g.arr(g.r.Intn(3), g.str)
	case "NS":
		g.arr(g.r.Intn(3), func() { g.raw(`"` + strconv.Itoa(g.r.Intn(99)) + `"`) })
	case "BS":
		g.arr(g.r.Intn(3), g.b64)
	case "L":
		g.arr(g.r.Intn(3), func() { g.attr(depth - 1) })
	case "M":
		g.image(depth - 1)
	}
	g.raw("}")
}

// image writes a map of attribute names to attribute values.
func (g *gen) image(depth int) {
	g.raw("{")
	for i, n := 0, g.r.Intn(5); i < n; i++ {
		if i > 0 {
			g.raw(",")
		}
		g.quote([]string{"pk", "sk", "name", "count", "tags", "pk"}[g.r.Intn(6)])
		g.raw(":")
		g.attr(depth)
	}
	g.raw("}")
}

func (g *gen) dynamodb() {
	g.records(1+g.r.Intn(4), func() {
		g.obj(
			fieldGen{"awsRegion", g.str},
			fieldGen{"eventID", g.str},
			fieldGen{"eventName", g.str},
			fieldGen{"eventSource", g.str},
			fieldGen{"eventVersion", g.str},
			fieldGen{"eventSourceARN", g.str},
			fieldGen{"userIdentity", func() {
				g.obj(fieldGen{"type", g.str}, fieldGen{"principalId", g.str})
			}},
			fieldGen{"dynamodb", func() {
				g.obj(
					fieldGen{"ApproximateCreationDateTime", g.int},
					fieldGen{"Keys", func() { g.image(0) }},
					fieldGen{"NewImage", func() { g.image(3) }},
					fieldGen{"OldImage", func() { g.image(3) }},
					fieldGen{"SequenceNumber", g.str},
					fieldGen{"SizeBytes", g.int},
					fieldGen{"StreamViewType", g.str},
				)
			}},
		)
	})
}

func (g *gen) kafka() {
	record := func() {
		g.obj(
			fieldGen{"topic", g.str},
			fieldGen{"partition", g.int},
			fieldGen{"offset", g.int},
			fieldGen{"timestamp", g.int},
			fieldGen{"timestampType", g.str},
			fieldGen{"key", g.b64},
			fieldGen{"value", g.b64},
			fieldGen{"headers", func() {
				g.arr(g.r.Intn(3), func() {
					g.raw(`{"h":`)
					g.arr(g.r.Intn(4), func() {
						if g.chance(30) {
							g.raw("128")
						} else {
							g.raw(strconv.Itoa(g.r.Intn(256) - 128))
						}
					})
					g.raw("}")
				})
			}},
		)
	}
	g.obj(
		fieldGen{"eventSource", g.str},
		fieldGen{"eventSourceArn", g.str},
		fieldGen{"bootstrapServers", g.str},
		fieldGen{"records", func() {
			g.raw("{")
			for i, n := 0, 1+g.r.Intn(3); i < n; i++ {
				if i > 0 {
					g.raw(",")
				}
				g.quote("topic-" + strconv.Itoa(g.r.Intn(3)))
				g.raw(":")
				g.arr(1+g.r.Intn(3), record)
			}
			g.raw("}")
		}},
	)
}

func (g *gen) quote(s string) { g.raw(strconv.Quote(s)) }
