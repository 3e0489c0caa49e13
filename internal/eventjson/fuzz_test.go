package eventjson_test

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// FuzzEventDecode feeds the same bytes to every fast decoder and to
// encoding/json with the matching aws-lambda-go type: both must fail, or
// both succeed with deeply equal events. Seeds: the golden events, random
// events of each source, and the corpus in testdata/fuzz/FuzzEventDecode.
//
//	go test ./internal/eventjson -run '^$' -fuzz FuzzEventDecode -fuzztime 60s
func FuzzEventDecode(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/*-event.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	r := rand.New(rand.NewSource(2))
	for _, src := range sources {
		for i := 0; i < 5; i++ {
			f.Add(randomEvent(r, src.name))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, src := range sources {
			compare(t, src, in)
		}
	})
}

// FuzzValidate holds Validate to json.Valid: the same verdict on every
// input.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a":[1,2,{"b":null}]} `, `"\u00e9"`, "\"\xff\"", `[1,]`, `nul`, ` `, "\u00a0null", `1e5`, `-0.5`, `{"a":1}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := eventjson.Validate(data) == nil
		if want := json.Valid(data); got != want {
			t.Fatalf("Validate(%q) valid=%v, json.Valid=%v", data, got, want)
		}
	})
}
