//go:build !goexperiment.jsonv2

package eventjson_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The zoo: payload types of the kinds users write, on which the payload
// decoder is held to encoding/json (payload_test.go, payload_random_test.go,
// FuzzTypedDecode). Between them they have every kind the decoder handles:
// nested structs, pointers, slices, arrays, maps with string and integer
// keys, time.Time, json.Number, json.RawMessage, interfaces, []byte,
// integers of every size, floats, booleans, ",string" fields, "-" tags,
// unexported fields, embedded structs (by value, by pointer, unexported,
// conflicting, tagged), recursive types, and types that decode themselves
// with UnmarshalJSON or UnmarshalText.

type zooOrder struct {
	ID       string          `json:"id"`
	Customer *zooCustomer    `json:"customer"`
	Items    []zooItem       `json:"items"`
	Total    float64         `json:"total"`
	Currency string          `json:"currency"`
	Created  time.Time       `json:"created"`
	Updated  *time.Time      `json:"updated,omitempty"`
	Paid     bool            `json:"paid"`
	Notes    *string         // no tag: the Go name, matched case-insensitively
	Meta     map[string]any  `json:"meta"`
	Extra    any             `json:"extra"`
	Raw      json.RawMessage `json:"raw"`
	Blob     []byte          `json:"blob"`
	Version  int64           `json:"version,string"`
	Priority *int            `json:"priority,string"`
	Flagged  bool            `json:"flagged,string"`
	Label    string          `json:"label,string"`
	Weight   float32         `json:"weight,string"`
	Amount   json.Number     `json:"amount"`
	Count    uint8           `json:"count"`
	Small    int8            `json:"small"`
	Ratio    float32         `json:"ratio"`
	Seq      uint64          `json:"seq"`
	Ignored  string          `json:"-"`
	//lint:ignore SA5008 encoding/json reads the key "-" from this tag
	Dash   string            `json:"-,"`
	Flags  [3]bool           `json:"flags"`
	Scores map[int]float64   `json:"scores"`
	Counts map[uint16]int    `json:"counts"`
	Kind   zooKind           `json:"kind"`
	Price  zooCents          `json:"price"`
	PriceP *zooCents         `json:"priceP"`
	Level  zooLevel          `json:"level"`
	Labels map[string]string `json:"labels"`
	Matrix [][]int           `json:"matrix"`
	Bad    bad               `json:"bad"`
	//lint:ignore U1000 an unexported field, which no decoder may fill
	internal  string
	Έλληνας   string // a Go name with non-ASCII letters
	KelvinKey string `json:"k"`
	//lint:ignore U1000 unexported: ſ is a lower-case letter, though it folds to S
	ſtrange int
}

type bad struct{ N int }

type zooCustomer struct {
	ID      string      `json:"id"`
	Email   string      `json:"email"`
	Tier    string      `json:"tier"`
	Address *zooAddress `json:"address"`
	Tags    []string    `json:"tags"`
	Age     int16       `json:"age"`
	Since   int32       `json:"since"`
	Score   uint32      `json:"score"`
}

type zooAddress struct {
	Street string   `json:"street"`
	City   string   `json:"city"`
	Zip    *string  `json:"zip"`
	Lines  []string `json:"lines"`
	Geo    *[2]float64
}

type zooItem struct {
	SKU   string            `json:"sku"`
	Qty   int               `json:"qty"`
	Price float64           `json:"price"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]string `json:"attrs"`
	Disc  *float64          `json:"disc"`
	Unit  uint              `json:"unit"`
}

// zooKind decodes itself from text: lower case, at most 12 bytes.
type zooKind string

func (k *zooKind) UnmarshalText(b []byte) error {
	if len(b) > 12 {
		return errors.New("kind too long")
	}
	*k = zooKind(strings.ToLower(string(b)))
	return nil
}

// zooCents decodes itself from JSON: a number of cents, or a string
// "12.34"; null leaves it.
type zooCents int64

func (c *zooCents) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		f, err := strconv.ParseFloat(strings.Trim(s, `"`), 64)
		if err != nil {
			return err
		}
		*c = zooCents(f * 100)
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	*c = zooCents(n)
	return err
}

// zooLevel is a named integer without methods.
type zooLevel int

// zooEvent has embedded structs: by value, by pointer (exported), an
// unexported one with exported fields, two that conflict on a name at the
// same depth (the name is dropped), one whose field a tag promotes over a
// deeper one, and one that is named by its tag.
type zooEvent struct {
	zooAudit
	*ZooTrace
	embeddedBase
	ConflictA
	ConflictB
	Named ZooNamed `json:"named"`
	Type  string   `json:"type"`
	When  *time.Time
	Data  json.RawMessage `json:"data"`
}

type zooAudit struct {
	CreatedBy string `json:"createdBy"`
	UpdatedBy string
	Source    string `json:"source"`
}

type ZooTrace struct {
	TraceID string `json:"traceId"`
	Span    int    `json:"span"`
	Source  string // hidden by zooAudit's tagged Source at the same depth
}

type embeddedBase struct {
	Region  string `json:"region"`
	Account string `json:"account"`
	deeper
}

type deeper struct {
	Region string // hidden by embeddedBase.Region, which is shallower
	Depth  int    `json:"depth"`
}

type ConflictA struct{ Dup, OnlyA string }
type ConflictB struct{ Dup, OnlyB string }

type ZooNamed struct {
	A int `json:"a"`
	B []int
}

// zooTree is recursive.
type zooTree struct {
	Name     string     `json:"name"`
	Children []*zooTree `json:"children"`
	Parent   *zooTree   `json:"parent"`
	Attrs    map[string]*zooTree
}

// zooScalars has one field of every scalar kind, and pointers to some.
type zooScalars struct {
	I    int
	I8   int8
	I16  int16
	I32  int32
	I64  int64
	U    uint
	U8   uint8
	U16  uint16
	U32  uint32
	U64  uint64
	UP   uintptr
	F32  float32
	F64  float64
	B    bool
	S    string
	N    json.Number
	PI   *int
	PPS  **string
	PF   *float64
	Any  any
	Err  error           // an interface with methods: only null decodes
	Ch   chan int        // only null decodes
	C128 complex128      // only null decodes
	QI8  int8            `json:",string"`
	QU16 uint16          `json:",string"`
	QF64 float64         `json:",string"`
	QN   json.Number     `json:",string"`
	QPS  *string         `json:",string"`
	QPB  *bool           `json:",string"`
	Bs   []uint8         `json:"bs"`
	Arr  [2]uint8        `json:"arr"`
	Ints []int           `json:"ints"`
	MI8  map[int8]string `json:"mi8"`
	MS   map[zooLevel]int
}

// zooEnvelope is what an SNS or EventBridge payload might look like to a
// handler that reads the envelope itself.
type zooEnvelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     *zooOrder       `json:"detail"`
	Raw        json.RawMessage `json:"raw"`
}
