//go:build goexperiment.jsonv2

package eventjson

// jsonV2 reports whether encoding/json is built on encoding/json/v2
// (GOEXPERIMENT=jsonv2, Go 1.25 on), whose rules differ from those a Plan
// follows in corner cases: Compile then leaves every type to encoding/json.
const jsonV2 = true
