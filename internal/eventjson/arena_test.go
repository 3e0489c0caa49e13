package eventjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestUnquotedStringsSurviveArenaRollover decodes enough strings, escaped
// and plain, to fill many chunks of every size class, of lengths across
// the classes' boundaries, and checks every one against encoding/json after
// the whole event is decoded: a string taken from an earlier chunk must not
// change when later ones are written or a new chunk replaces it.
func TestUnquotedStringsSurviveArenaRollover(t *testing.T) {
	var recs []string
	for i := 0; i < 300; i++ {
		// Escaped bodies that unquote to 20 bytes to 2.7 KB, and plain
		// strings of 0 to 1.5 KB: some longer than maxArenaString, which
		// are allocated alone. Source and region repeat, as in real
		// events, and are found among the recent strings.
		body := fmt.Sprintf(`{\"n\":%d,\"pad\":\"%s\"}`, i, strings.Repeat("x\\u00e9", (i*37)%900))
		plain := strings.Repeat("y", (i*53)%(maxArenaString+500))
		recs = append(recs, fmt.Sprintf(`{"messageId":"m%d","body":"%s","md5OfBody":"%s","attributes":{"k\\n%d":"v\\t%d"},`+
			`"eventSource":"aws:sqs","awsRegion":"us-\\u0065ast-%d"}`, i, body, plain, i, i, i%3))
	}
	payload := []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
	got, err := SQS(payload)
	if err != nil {
		t.Fatal(err)
	}
	var want events.SQSEvent
	if err := json.Unmarshal(payload, &want); err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != len(want.Records) {
		t.Fatalf("got %d records, want %d", len(got.Records), len(want.Records))
	}
	for i := range want.Records {
		if !reflect.DeepEqual(got.Records[i], want.Records[i]) {
			t.Fatalf("record %d differs:\n got %+v\nwant %+v", i, got.Records[i], want.Records[i])
		}
	}
}
