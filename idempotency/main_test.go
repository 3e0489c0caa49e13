package idempotency_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/goleak"

	"github.com/seed-45ee126e/batch/internal/testserver"
)

// ddbEndpoint is the URL of the DynamoDB server the integration tests use:
// BATCH_DYNAMODB_ENDPOINT (set by scripts/test.sh), or a DynamoDB Local
// that TestMain starts itself with scripts/dynamodb-local.sh.
var ddbEndpoint string

// TestMain makes sure a DynamoDB server is running, runs the tests, and
// then fails if any goroutine other than the HTTP client's idle
// connections is left behind.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	ddbEndpoint = os.Getenv("BATCH_DYNAMODB_ENDPOINT")
	if ddbEndpoint == "" {
		endpoint, stop, err := startDynamoDBLocal()
		if err != nil {
			fmt.Fprintf(os.Stderr, "idempotency tests need a DynamoDB server: %v\nrun ./scripts/test.sh from the repository root, or set BATCH_DYNAMODB_ENDPOINT\n", err)
			return 1
		}
		defer stop()
		ddbEndpoint = endpoint
	}
	// The goroutine waiting for the server is not the tests' doing.
	ignore := goleak.IgnoreCurrent()
	code := m.Run()
	if code == 0 {
		transport.CloseIdleConnections()
		if err := goleak.Find(ignore); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines left running: %v\n", err)
			return 1
		}
	}
	return code
}

// transport carries the integration tests' HTTP requests; TestMain closes
// its idle connections before looking for leaked goroutines.
var transport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64 // the concurrency tests open many at once
	return t
}()

// newClient returns a DynamoDB client of the test server, with static
// credentials and no retries: a test that makes the server fail wants the
// failure, not three attempts of it.
func newClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      aws.CredentialsProviderFunc(testCredentials),
		HTTPClient:       &http.Client{Transport: transport},
		RetryMaxAttempts: 1,
	})
}

func testCredentials(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "idempotency tests"}, nil
}

// startDynamoDBLocal starts DynamoDB Local on a free loopback port with
// scripts/dynamodb-local.sh (which installs it into .tools/ the first
// time) and waits until it answers.
func startDynamoDBLocal() (endpoint string, stop func(), err error) {
	script, err := filepath.Abs(filepath.Join("..", "scripts", "dynamodb-local.sh"))
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(script); err != nil {
		return "", nil, err
	}
	port, err := testserver.FreePort()
	if err != nil {
		return "", nil, err
	}
	// The script replaces itself with the server (exec), so cmd's process
	// is the server's and Kill stops it.
	cmd := exec.Command("bash", script, "run", strconv.Itoa(port))
	cmd.Stderr = os.Stderr // what the first run installs, and errors; not the server's banner
	endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
	client := newClient(endpoint)
	// An install from npm takes a few seconds, the JVM's start about 2.5.
	stop, err = testserver.Start(cmd, func(ctx context.Context) error {
		_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
		return err
	}, 3*time.Minute)
	if err != nil {
		return "", nil, fmt.Errorf("DynamoDB Local: %w", err)
	}
	transport.CloseIdleConnections()
	return endpoint, stop, nil
}
