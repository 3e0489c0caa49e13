// Command recorder is a test function that appends, for each SQS message
// it handles, a line to $RECORD_FILE: the request id, the message id, the
// process id and when it started and ended, in nanoseconds. A body that
// contains "poison" fails its message.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seed-45ee126e/batch"
)

func main() {
	f, err := os.OpenFile(os.Getenv("RECORD_FILE"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		panic(err)
	}
	lambda.Start(batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		lc, _ := lambdacontext.FromContext(ctx)
		start := time.Now().UnixNano()
		time.Sleep(100 * time.Microsecond)
		var err error
		if strings.Contains(m.Body, "poison") {
			err = errors.New("poison")
		}
		fmt.Fprintf(f, "%s %s %d %d %d %v\n", lc.AwsRequestID, m.MessageId, os.Getpid(), start, time.Now().UnixNano(), err == nil)
		return err
	}, batch.Options{Concurrency: 4}))
}
