// Command lambda is the deployable sqsdelete example: see ../template.yaml.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	sqsdeleteexample "github.com/seed-45ee126e/batch/examples/sqsdelete"
)

func main() {
	// The region and the credentials come from the Lambda environment.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(sqsdeleteexample.New(sqs.NewFromConfig(cfg)))
}
