// Command batchlocal runs a compiled AWS Lambda function on your machine
// the way Lambda runs it: under a local Lambda Runtime API (the function's
// unchanged aws-lambda-go runtime, lambda.Start, talks to it as it talks
// to Lambda), fed by an event source mapping that applies Lambda's rules
// for SQS (standard and FIFO), Kinesis, DynamoDB Streams and Kafka, and
// reads its partial batch responses as Lambda does.
//
//	batchlocal invoke ./lambda event.json     # one invocation: the response, and what Lambda does with it
//	batchlocal run ./lambda --send 1000 --poison 2% --max-receive-count 3
//	batchlocal send --endpoint-url http://127.0.0.1:5000 --queue orders --create 100
//	batchlocal run --template examples/sqs/template.yaml --send 100   # the settings a SAM template deploys
//
// A function is a directory holding a Go main package, built here for
// this machine (with -tags lambda.norpc), or an executable (a bootstrap).
// By default run feeds it from an in-memory queue or stream, on a
// simulated clock (package esm of github.com/seed-45ee126e/batch, the
// same model its tests use); with --endpoint-url it polls a real queue or
// stream through aws-sdk-go-v2: moto, kinesalite, LocalStack, ElasticMQ,
// or AWS. Run "batchlocal <command> --help" for the flags.
//
// The command is a module of its own, so that the library's users never
// pull in the AWS SDK or the terminal libraries. It imports packages from
// the library's internal directory (runtimeapi, contract, fake): Go allows
// it, since its import path is inside the library's, and a go install of
// this module builds it against the library version its go.mod requires,
// so the two are always pinned together.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the program at once
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// exitCode maps run's error to the exit status: 0 for success, 130 after
// an interrupt (as shells report SIGINT), 2 for a usage error, 1 for any
// other error, which it prints.
func exitCode(err error) int {
	var usage *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errInterrupted):
		fmt.Fprintln(os.Stderr, "batchlocal: interrupted")
		return 130
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "batchlocal:", err)
		return 2
	default:
		fmt.Fprintln(os.Stderr, "batchlocal:", err)
		return 1
	}
}
