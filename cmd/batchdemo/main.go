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
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"
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

// example decodes an event and runs one example handler on it.
type example func(ctx context.Context, event []byte) (response any, err error)

// handlerOf adapts a Lambda handler to an example.
func handlerOf[E, R any](h func(context.Context, E) (R, error)) example {
	return func(ctx context.Context, data []byte) (any, error) {
		var ev E
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, &decodeError{err}
		}
		return h(ctx, ev)
	}
}

// decodeError is an event that could not be decoded: an error of the
// command, not a response of the handler.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "decoding the event: " + e.err.Error() }

var registry = map[string]example{
	"sqs":      handlerOf(sqsexample.Handler),
	"sqsfifo":  handlerOf(fifoexample.Handler),
	"kinesis":  handlerOf(kinesisexample.Handler),
	"dynamodb": handlerOf(dynamodbexample.Handler),
	"kafka":    handlerOf[events.KafkaEvent](kafkaexample.Handler),
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
		resp, herr := registry[name](ctx, data)
		cancel()
		var de *decodeError
		if errors.As(herr, &de) {
			return fmt.Errorf("%s: %w", path, herr)
		}
		out, err := json.Marshal(resp)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "== %s (%s)\nresponse: %s\n", name, path, out)
		if herr != nil {
			fmt.Fprintf(stdout, "error: %v\n", herr)
		}
	}
	return nil
}
