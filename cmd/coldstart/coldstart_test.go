//go:build coldstart

// This test builds three binaries and starts them repeatedly, which takes
// tens of seconds; it runs only with the build tag, which scripts/test.sh
// (the suite CI runs) sets:
//
//	go test -tags coldstart ./cmd/coldstart
package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunReportsBothFunctions(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-n", "2", "-records", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lambda.Start + encoding/json", "batch.New (fast path)", "batch.New, typed payload (fast path)", "MiB"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("got report %q, want it to mention %q", out.String(), want)
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"zero starts", []string{"-n", "0"}},
		{"zero records", []string{"-records", "0"}},
		{"unknown flag", []string{"-x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(tt.args, &bytes.Buffer{}); err == nil {
				t.Errorf("got no error for %v, want one", tt.args)
			}
		})
	}
}
