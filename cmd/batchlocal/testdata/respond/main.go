// Command respond is a test function that answers every invocation with
// the bytes of $RESPONSE, whatever the event: a response as a buggy
// function might return it, invalid JSON included.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type respond struct{}

func (respond) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return []byte(os.Getenv("RESPONSE")), nil
}

func main() { lambda.Start(respond{}) }
