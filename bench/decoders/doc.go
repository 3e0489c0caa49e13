// Package decoders compares the library's JSON decoders with
// encoding/json and three general decoders that could have replaced
// them: github.com/go-json-experiment/json (encoding/json/v2),
// github.com/goccy/go-json and github.com/bytedance/sonic. It is a module
// of its own so that the library never depends on them.
//
// Its tests hold each decoder to encoding/json on a set of tricky inputs
// and count where they differ (the library's own path must not differ);
// its benchmarks time each decoder on the payloads and events of the
// root module's benchmarks, beside encoding/json in the same run. The
// programs of programs/ are what scripts/bench-decoders.sh builds to
// measure binary sizes and the first decode in a fresh process. The
// README says how to run it all and what was measured.
package decoders
