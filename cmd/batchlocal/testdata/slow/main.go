// Command slow is a test function: a message whose body is "slow" makes it
// start a child process, write both pids to $PIDFILE, and sleep past any
// timeout; other messages succeed.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	for _, m := range ev.Records {
		if m.Body != "slow" {
			continue
		}
		child := exec.Command("sleep", "300")
		if err := child.Start(); err != nil {
			return events.SQSEventResponse{}, err
		}
		pids := fmt.Sprintf("%d %d\n", os.Getpid(), child.Process.Pid)
		if err := os.WriteFile(os.Getenv("PIDFILE")+".tmp", []byte(pids), 0o600); err != nil {
			return events.SQSEventResponse{}, err
		}
		os.Rename(os.Getenv("PIDFILE")+".tmp", os.Getenv("PIDFILE"))
		time.Sleep(5 * time.Minute)
	}
	return events.SQSEventResponse{}, nil
}

func main() { lambda.Start(handle) }
