// Command batch decodes an order as the library does: with its payload
// decoder (the eventjson.Plan that batch.New compiles for a handler of the
// type), and with json.Unmarshal when the plan fails, so that it links
// what the library links. It prints how long its first and second decode
// took; the first includes compiling the plan. std is the baseline, with
// encoding/json.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/firstdecode"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
	"github.com/seed-45ee126e/batch/internal/eventjson"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "batch:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("batch", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var plan *eventjson.Plan
	return firstdecode.Measure(stdout, func(data []byte, o *payload.Order) error {
		if plan == nil {
			p, err := eventjson.PlanFor(reflect.TypeFor[payload.Order]())
			if err != nil {
				return err
			}
			plan = p
		}
		if plan.Decode(data, o) == nil {
			return nil
		}
		*o = payload.Order{}
		return json.Unmarshal(data, o)
	})
}
