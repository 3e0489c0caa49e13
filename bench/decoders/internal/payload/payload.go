// Package payload holds what the decoder comparison decodes: the order type
// and the two JSON bodies of the root module's benchmarks. It imports no
// JSON package, so that each program of programs/ links only the decoder
// it measures.
package payload

import "fmt"

// Order is the ~250-byte order body of the root module's typed-payload
// benchmarks (benchOrder in decode_bench_test.go), without its Validate
// method, so that every decoder does the same work.
type Order struct {
	ID       string  `json:"id"`
	Customer string  `json:"customer"`
	Currency string  `json:"currency"`
	Total    float64 `json:"total"`
	Items    []Item  `json:"items"`
	Created  string  `json:"created"`
}

// Item is a line of an Order.
type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// OrderJSON is the body of record i: an Order of about 250 bytes, with its
// keys in the struct's order and one key ("note") the struct does not
// have. It is benchOrderJSON of the root module's benchmarks.
func OrderJSON(i int) []byte {
	return fmt.Appendf(nil, `{"id":"order-%06d","customer":"customer-%04d","currency":"EUR","total":%d.50,`+
		`"items":[{"sku":"SKU-%05d","qty":2},{"sku":"SKU-%05d","qty":1},{"sku":"SKU-%05d","qty":5}],`+
		`"created":"2026-11-22T07:00:00Z","note":"leave at the door, ring twice"}`, i, i%977, i%500, i, i+1, i+2)
}

// DocJSON is the ~256-byte document of record i: what json.Marshal writes
// for the map of fastPayload in the root module's benchmarks (keys in
// alphabetical order, a nested object, an array of objects, floats). The
// tests check that it is.
func DocJSON(i int) []byte {
	return fmt.Appendf(nil, `{"createdAt":"2026-11-22T07:00:00Z",`+
		`"customer":{"email":"jane.doe@example.com","id":"cust-4711","tier":"gold"},`+
		`"items":[{"price":19.99,"qty":2,"sku":"SKU-12345"},{"price":5.49,"qty":1,"sku":"SKU-67890"}],`+
		`"note":"deliver to the back door, ring twice","orderId":"ord-%08d"}`, i)
}
