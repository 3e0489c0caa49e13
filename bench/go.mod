module github.com/seed-45ee126e/batch/bench

go 1.24

require (
	github.com/aws/aws-lambda-go v1.54.0
	github.com/seed-45ee126e/batch v0.0.0
	github.com/seed-45ee126e/batch/dynamodbav v0.0.0
)

require (
	github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue v1.21.19 // indirect
	github.com/aws/aws-sdk-go-v2/service/dynamodb v1.73.1 // indirect
	github.com/aws/aws-sdk-go-v2/service/dynamodbstreams v1.46.6 // indirect
	github.com/aws/smithy-go v1.28.8 // indirect
)

replace (
	github.com/seed-45ee126e/batch => ../
	github.com/seed-45ee126e/batch/dynamodbav => ../dynamodbav
)
