// Command lambda is the deployable DynamoDB Streams example: see
// ../template.yaml.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	dynamodbexample "github.com/seed-45ee126e/batch/examples/dynamodb"
)

func main() { lambda.Start(dynamodbexample.New()) }
