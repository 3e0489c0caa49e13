//go:build !goexperiment.jsonv2

package eventjson_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// The payloads of the typed-payload benchmarks: benchOrder is the root
// package's (decode_bench_test.go), about 250 bytes; benchDoc is the
// document of its BenchmarkInvoke (invoke_bench_test.go), about 256 bytes,
// with a nested object and floats.

type benchOrder struct {
	ID       string      `json:"id"`
	Customer string      `json:"customer"`
	Currency string      `json:"currency"`
	Total    float64     `json:"total"`
	Items    []benchItem `json:"items"`
	Created  string      `json:"created"`
}

type benchItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

func benchOrderJSON(i int) []byte {
	return []byte(fmt.Sprintf(`{"id":"order-%06d","customer":"customer-%04d","currency":"EUR","total":%d.50,`+
		`"items":[{"sku":"SKU-%05d","qty":2},{"sku":"SKU-%05d","qty":1},{"sku":"SKU-%05d","qty":5}],`+
		`"created":"2026-11-22T07:00:00Z","note":"leave at the door, ring twice"}`, i, i%977, i%500, i, i+1, i+2))
}

type benchDoc struct {
	OrderID  string `json:"orderId"`
	Customer struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Tier  string `json:"tier"`
	} `json:"customer"`
	Items []struct {
		SKU   string  `json:"sku"`
		Qty   int     `json:"qty"`
		Price float64 `json:"price"`
	} `json:"items"`
	CreatedAt string `json:"createdAt"`
	Note      string `json:"note"`
}

func benchDocJSON(i int) []byte {
	b, _ := json.Marshal(map[string]any{
		"orderId":  fmt.Sprintf("ord-%08d", i),
		"customer": map[string]any{"id": "cust-4711", "email": "jane.doe@example.com", "tier": "gold"},
		"items": []map[string]any{
			{"sku": "SKU-12345", "qty": 2, "price": 19.99},
			{"sku": "SKU-67890", "qty": 1, "price": 5.49},
		},
		"createdAt": "2026-11-22T07:00:00Z",
		"note":      "deliver to the back door, ring twice",
	})
	return b
}

// BenchmarkPayloadDecode decodes 1,000 payloads of each kind with the
// payload decoder and with json.Unmarshal, in one run:
//
//	go test ./internal/eventjson -run '^$' -bench BenchmarkPayloadDecode -benchmem -count 5
func BenchmarkPayloadDecode(b *testing.B) {
	benchPayloads[benchOrder](b, "order", benchOrderJSON)
	benchPayloads[benchDoc](b, "doc", benchDocJSON)
	benchPayloads[map[string]any](b, "map", benchDocJSON)
}

func benchPayloads[T any](b *testing.B, name string, payload func(int) []byte) {
	const n = 1000
	data := make([][]byte, n)
	size := 0
	for i := range data {
		data[i] = payload(i)
		size += len(data[i])
	}
	plan, err := eventjson.PlanFor(reflect.TypeOf((*T)(nil)).Elem())
	if err != nil {
		b.Fatal(err)
	}
	for _, dec := range []struct {
		name string
		fn   func([]byte, any) error
	}{{"plan", plan.Decode}, {"encoding-json", json.Unmarshal}} {
		b.Run(name+"/"+dec.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size / n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var v T
				if err := dec.fn(data[i%n], &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompile measures what New pays once per payload type: the
// compilation of its Plan (PlanFor caches it; Compile does not).
//
//	go test ./internal/eventjson -run '^$' -bench BenchmarkCompile -benchmem
func BenchmarkCompile(b *testing.B) {
	for _, c := range []struct {
		name string
		t    reflect.Type
	}{
		{"order", reflect.TypeOf(benchOrder{})},
		{"doc", reflect.TypeOf(benchDoc{})},
		{"zoo-order", reflect.TypeOf(zooOrder{})},
		{"zoo-event", reflect.TypeOf(zooEvent{})},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := eventjson.Compile(c.t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
