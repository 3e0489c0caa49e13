module github.com/seed-45ee126e/batch

go 1.21

require github.com/aws/aws-lambda-go v1.54.0

require go.uber.org/goleak v1.3.0
