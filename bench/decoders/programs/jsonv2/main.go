// Command jsonv2 decodes an order with github.com/go-json-experiment/json
// (v2, its defaults) and prints how long its first and second decode took;
// std is the baseline, with encoding/json.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	json "github.com/go-json-experiment/json"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/firstdecode"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jsonv2:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jsonv2", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return firstdecode.Measure(stdout, func(data []byte, o *payload.Order) error {
		return json.Unmarshal(data, o)
	})
}
