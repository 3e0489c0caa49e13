// Command lambda is the deployable Kinesis example: see ../template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	kinesisexample "github.com/seed-45ee126e/batch/examples/kinesis"
)

func main() { lambda.Start(kinesisexample.New()) }
