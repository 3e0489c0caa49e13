package eventjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestUnquotedStringsSurviveArenaRollover decodes enough escaped strings to
// fill several arenas, of sizes around the arena's boundaries, and checks
// every one against encoding/json after the whole event is decoded: a
// string taken from an earlier arena must not change when later ones are
// written or a new arena replaces it.
func TestUnquotedStringsSurviveArenaRollover(t *testing.T) {
	var recs []string
	for i := 0; i < 300; i++ {
		// Escaped bodies of 1 to ~5 KB; some longer than a quarter chunk,
		// which bypass the arena.
		body := fmt.Sprintf(`{\"n\":%d,\"pad\":\"%s\"}`, i, strings.Repeat("x\\u00e9", (i*37)%900))
		recs = append(recs, fmt.Sprintf(`{"messageId":"m%d","body":"%s","attributes":{"k\\n%d":"v\\t%d"}}`, i, body, i, i))
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
