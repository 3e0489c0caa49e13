// Command lambda is the deployable SQS FIFO example: see ../template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	fifoexample "github.com/seed-45ee126e/batch/examples/sqsfifo"
)

func main() { lambda.Start(fifoexample.New()) }
