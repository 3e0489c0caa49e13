package decoders_test

import (
	"encoding/json"

	"github.com/bytedance/sonic"
	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	gojson "github.com/goccy/go-json"
)

// A decoder is one general JSON decoder under comparison, called as
// json.Unmarshal is.
type decoder struct {
	name      string // as in benchmark names: no spaces
	unmarshal func(data []byte, v any) error
}

// stdDecoder is the reference.
var stdDecoder = decoder{"encoding-json", json.Unmarshal}

// alternatives are the decoders weighed against the library's own, each
// called with its defaults, as a user replacing json.Unmarshal would.
var alternatives = []decoder{
	// encoding/json/v2's own semantics: case-sensitive names, duplicate
	// names and invalid UTF-8 rejected, and so on.
	{"jsonv2", func(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }},
	// The same module's emulation of encoding/json (v1) on top of v2.
	{"jsonv2-v1api", jsonv1.Unmarshal},
	{"goccy", gojson.Unmarshal},
	{"sonic", sonic.Unmarshal},
	{"sonic-std", sonic.ConfigStd.Unmarshal},
}
