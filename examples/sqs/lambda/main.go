// Command lambda is the deployable SQS example: see ../template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	sqsexample "github.com/seed-45ee126e/batch/examples/sqs"
)

func main() { lambda.Start(sqsexample.New()) }
