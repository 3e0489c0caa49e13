package decoders_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
)

// TestDocJSONIsWhatMarshalWrites checks that the document is the one the
// root module's benchmarks build with json.Marshal (fastPayload).
func TestDocJSONIsWhatMarshalWrites(t *testing.T) {
	for _, i := range []int{0, 7, 12345678} {
		want, err := json.Marshal(map[string]any{
			"orderId":  fmt.Sprintf("ord-%08d", i),
			"customer": map[string]any{"id": "cust-4711", "email": "jane.doe@example.com", "tier": "gold"},
			"items": []map[string]any{
				{"sku": "SKU-12345", "qty": 2, "price": 19.99},
				{"sku": "SKU-67890", "qty": 1, "price": 5.49},
			},
			"createdAt": "2026-11-22T07:00:00Z",
			"note":      "deliver to the back door, ring twice",
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := payload.DocJSON(i); !bytes.Equal(got, want) {
			t.Errorf("DocJSON(%d) = %s, want %s", i, got, want)
		}
	}
}

func TestOrderJSONDecodes(t *testing.T) {
	var o payload.Order
	if err := json.Unmarshal(payload.OrderJSON(42), &o); err != nil {
		t.Fatal(err)
	}
	if o.ID != "order-000042" || len(o.Items) != 3 || o.Total != 42.5 {
		t.Errorf("got %+v, want order-000042 with 3 items and a total of 42.5", o)
	}
	if n := len(payload.OrderJSON(42)); n < 230 || n > 270 {
		t.Errorf("got a body of %d bytes, want about 250", n)
	}
}
