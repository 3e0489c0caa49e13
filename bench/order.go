package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
)

// Order is the payload of every record of the comparison: an order
// document of about 256 bytes of JSON, with a nested object, an array of
// objects, numbers, and strings with a few escapes (a quote, a line feed,
// and "&", which encoding/json writes as \u0026). The dynamodbav tags give
// the same names in DynamoDB images, so that one type serves every source.
type Order struct {
	OrderID  string   `json:"orderId" dynamodbav:"orderId"`
	Status   string   `json:"status" dynamodbav:"status"`
	Customer Customer `json:"customer" dynamodbav:"customer"`
	Items    []Item   `json:"items" dynamodbav:"items"`
	Total    float64  `json:"total" dynamodbav:"total"`
	Note     string   `json:"note" dynamodbav:"note"`
	Created  string   `json:"createdAt" dynamodbav:"createdAt"`
}

// Customer is the customer of an Order.
type Customer struct {
	ID    string `json:"id" dynamodbav:"id"`
	Name  string `json:"name" dynamodbav:"name"`
	Email string `json:"email" dynamodbav:"email"`
}

// Item is one line of an Order.
type Item struct {
	SKU   string  `json:"sku" dynamodbav:"sku"`
	Qty   int     `json:"qty" dynamodbav:"qty"`
	Price float64 `json:"price" dynamodbav:"price"`
}

// rejected is the status of the orders that the per-record work fails,
// on both sides of the comparison.
const rejected = "REJECTED"

var (
	firstNames = []string{"Jane", "John", "Ana", "Li", "Omar", "Grace", "Ada", "Linus"}
	lastNames  = []string{"Doe", "O'Brien", "Svensson", "Nakamura", "Okafor", "Smith \u0026 Sons", "Moller", "Rossi"}
	notes      = []string{
		"Back door,\nring twice",
		"Gift: \"Happy birthday!\"",
		"After 6 pm & call ahead",
		"",
	}
	statuses = []string{"PAID", "NEW", "SHIPPED"}
)

// newOrder returns order i of an event, whose status is REJECTED when fail
// is set and one of the other statuses otherwise.
func newOrder(r *rand.Rand, i int, fail bool) Order {
	first, last := firstNames[r.Intn(len(firstNames))], lastNames[r.Intn(len(lastNames))]
	o := Order{
		OrderID: fmt.Sprintf("ord-%08d", i),
		Status:  statuses[r.Intn(len(statuses))],
		Customer: Customer{
			ID:    fmt.Sprintf("cust-%05d", r.Intn(50000)),
			Name:  first + " \"" + string(first[0]) + "\" " + last,
			Email: fmt.Sprintf("%s%d@example.com", strings.ToLower(first), r.Intn(100)),
		},
		Note:    notes[r.Intn(len(notes))],
		Created: fmt.Sprintf("2026-11-%02dT%02d:%02d:%02dZ", 1+r.Intn(28), r.Intn(24), r.Intn(60), r.Intn(60)),
	}
	if fail {
		o.Status = rejected
	}
	n := 1
	if r.Intn(3) == 0 {
		n = 2
	}
	for k := 0; k < n; k++ {
		it := Item{SKU: fmt.Sprintf("SKU-%05d", r.Intn(100000)), Qty: 1 + r.Intn(5), Price: float64(100+r.Intn(9900)) / 100}
		o.Items = append(o.Items, it)
		o.Total += float64(it.Qty) * it.Price
	}
	o.Total = float64(int64(o.Total*100+0.5)) / 100
	return o
}

// orderJSON is the payload of an order, as a producer using encoding/json
// would send it.
func orderJSON(o Order) []byte {
	b, err := json.Marshal(o)
	if err != nil {
		panic(err) // an Order always marshals
	}
	return b
}
