// Command initfail is a test function whose initialisation fails: it exits
// before it starts the runtime, as a function does that cannot read its
// configuration.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("TABLE_NAME") == "" {
		log.Fatal("TABLE_NAME is not set")
	}
	lambda.Start(func() error { return nil })
}
