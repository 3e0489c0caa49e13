// Command sonic decodes an order with github.com/bytedance/sonic and prints
// how long its first and second decode took; std is the baseline, with
// encoding/json. With -std it uses sonic.ConfigStd, else sonic's default
// configuration.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/bytedance/sonic"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/firstdecode"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sonic:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sonic", flag.ContinueOnError)
	std := fs.Bool("std", false, "use sonic.ConfigStd, the configuration compatible with encoding/json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	api := sonic.ConfigDefault
	if *std {
		api = sonic.ConfigStd
	}
	return firstdecode.Measure(stdout, func(data []byte, o *payload.Order) error {
		return api.Unmarshal(data, o)
	})
}
