package main

import (
	"bytes"
	"regexp"
	"testing"
)

func TestRun(t *testing.T) {
	for _, args := range [][]string{nil} {
		var out bytes.Buffer
		if err := run(args, &out); err != nil {
			t.Fatalf("run(%q): %v", args, err)
		}
		if !regexp.MustCompile(`^first_ns=[0-9]+ second_ns=[0-9]+ id=order-000001\n$`).Match(out.Bytes()) {
			t.Errorf("run(%q) wrote %q, want first_ns=N second_ns=N id=order-000001", args, out.String())
		}
	}
}
