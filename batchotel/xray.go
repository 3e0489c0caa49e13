package batchotel

import (
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// parseXRay reads an X-Ray trace header, the value of the AWSTraceHeader
// system attribute of SQS messages:
//
//	Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1
//
// The root's version is 1, then 8 hex digits of epoch seconds and 24 of
// random, which together make the 16-byte trace id; Parent is the 8-byte
// span id. Other fields (Lineage, Self, …) are ignored. It reports false
// when Root or Parent is missing or malformed.
//
// It replaces the X-Ray propagator of go.opentelemetry.io/contrib, whose
// module has been deprecated for want of an owner.
func parseXRay(h string) (trace.SpanContext, bool) {
	var (
		tid            trace.TraceID
		sid            trace.SpanID
		gotRoot, gotID bool
		flags          trace.TraceFlags
	)
	for h != "" {
		var field string
		field, h, _ = strings.Cut(h, ";")
		key, val, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			continue
		}
		switch key {
		case "Root":
			// 1-XXXXXXXX-YYYYYYYYYYYYYYYYYYYYYYYY
			if len(val) != 35 || val[:2] != "1-" || val[10] != '-' {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(tid[:4], []byte(val[2:10])); err != nil {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(tid[4:], []byte(val[11:])); err != nil {
				return trace.SpanContext{}, false
			}
			gotRoot = true
		case "Parent":
			if len(val) != 16 {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(sid[:], []byte(val)); err != nil {
				return trace.SpanContext{}, false
			}
			gotID = true
		case "Sampled":
			if val == "1" {
				flags = trace.FlagsSampled
			}
		}
	}
	if !gotRoot || !gotID {
		return trace.SpanContext{}, false
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: flags, Remote: true})
	return sc, sc.IsValid()
}
