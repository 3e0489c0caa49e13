// Command lambda is the deployable Kafka example: see ../template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	kafkaexample "github.com/seed-45ee126e/batch/examples/kafka"
)

func main() { lambda.Start(kafkaexample.New()) }
