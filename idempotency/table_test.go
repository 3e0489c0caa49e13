package idempotency_test

import (
	"context"
	"fmt"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seed-45ee126e/batch/idempotency"
)

// badTableChars matches what a DynamoDB table name may not hold.
var badTableChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// tables numbers the tables the tests create, so that each test has its
// own in the shared server.
var tables atomic.Int64

// newTable creates a table of the layout the package documents (a string
// partition key, TTL on the expiry attribute, on-demand billing) in the
// test server, named after the test, and deletes it when the test ends.
func newTable(t testing.TB, client *dynamodb.Client, tbl idempotency.Table) idempotency.Table {
	t.Helper()
	name := badTableChars.ReplaceAllString(t.Name(), "-")
	if len(name) > 200 {
		name = name[:200]
	}
	tbl.Name = fmt.Sprintf("%s-%d", name, tables.Add(1))
	key, expiry := tbl.Key, tbl.Expiry
	if key == "" {
		key = "id"
	}
	if expiry == "" {
		expiry = "expiration"
	}
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(tbl.Name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(key), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(key), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(tbl.Name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(expiry), Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatalf("UpdateTimeToLive: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(tbl.Name)})
	})
	return tbl
}
