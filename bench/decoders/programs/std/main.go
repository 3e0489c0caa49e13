// Command std decodes an order with encoding/json and prints how long its
// first and second decode took: the baseline of the other programs of
// programs/, whose binary sizes and first decodes scripts/bench-decoders.sh
// compares.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/firstdecode"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "std:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if err := flag.NewFlagSet("std", flag.ContinueOnError).Parse(args); err != nil {
		return err
	}
	return firstdecode.Measure(stdout, func(data []byte, o *payload.Order) error {
		return json.Unmarshal(data, o)
	})
}
