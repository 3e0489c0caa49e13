package eventjson_test

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"
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
