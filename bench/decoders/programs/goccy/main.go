// Command goccy decodes an order with github.com/goccy/go-json and prints
// how long its first and second decode took; std is the baseline, with
// encoding/json.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	json "github.com/goccy/go-json"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/firstdecode"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "goccy:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("goccy", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return firstdecode.Measure(stdout, func(data []byte, o *payload.Order) error {
		return json.Unmarshal(data, o)
	})
}
