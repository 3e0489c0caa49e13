// Command batchdemo runs the example Lambda handlers of this repository over
// sample batches and prints the partial batch response each one returns.
//
// With no flags it runs every example on its bundled sample batch, in which
// some records fail:
//
//	go run ./cmd/batchdemo
//
// -example picks one example, and -event replaces its sample batch with an
// event of your own in the shape Lambda sends:
//
//	go run ./cmd/batchdemo -example sqs -event my-event.json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/examples"
	dynamodbexample "github.com/seed-45ee126e/batch/examples/dynamodb"
	kafkaexample "github.com/seed-45ee126e/batch/examples/kafka"
	kinesisexample "github.com/seed-45ee126e/batch/examples/kinesis"
	sqsexample "github.com/seed-45ee126e/batch/examples/sqs"
	fifoexample "github.com/seed-45ee126e/batch/examples/sqsfifo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "batchdemo:", err)
		os.Exit(1)
	}
}

// example runs one example function on an event, as Lambda invokes it:
// the event's JSON in, the response's JSON out.
type example func(ctx context.Context, event []byte) ([]byte, error)

var registry = map[string]example{
	"sqs":      sqsexample.New().Invoke,
	"sqsfifo":  fifoexample.New().Invoke,
	"kinesis":  kinesisexample.New().Invoke,
	"dynamodb": dynamodbexample.New().Invoke,
	"kafka":    kafkaexample.New().Invoke,
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("batchdemo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	only := fs.String("example", "", "run only this example: sqs, sqsfifo, kinesis, dynamodb or kafka")
	eventFile := fs.String("event", "", "with -example: a JSON event file to use instead of the bundled sample")
	timeout := fs.Duration("timeout", 30*time.Second, "the simulated Lambda timeout of each invocation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *eventFile != "" && *only == "" {
		return errors.New("-event needs -example")
	}

	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	if *only != "" {
		if _, ok := registry[*only]; !ok {
			return fmt.Errorf("no example %q; have %v", *only, names)
		}
		names = []string{*only}
	}

	for _, name := range names {
		path := "examples/" + name + "/events/event.json"
		var data []byte
		var err error
		if *eventFile != "" {
			path = *eventFile
			data, err = os.ReadFile(*eventFile)
		} else {
			data, err = examples.Events.ReadFile(name + "/events/event.json")
		}
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		out, herr := registry[name](ctx, data)
		cancel()
		var ee *batch.EventError
		if errors.As(herr, &ee) {
			return fmt.Errorf("%s: %w", path, herr)
		}
		fmt.Fprintf(stdout, "== %s (%s)\n", name, path)
		if herr != nil {
			// Lambda ignores the response of a failed invocation and
			// retries the whole batch.
			fmt.Fprintf(stdout, "error: %v\n", herr)
			continue
		}
		fmt.Fprintf(stdout, "response: %s\n", out)
	}
	return nil
}
