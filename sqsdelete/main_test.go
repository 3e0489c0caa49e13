package sqsdelete_test

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/seed-45ee126e/batch/internal/testserver"
)

// sqsEndpoint is the URL of the SQS-compatible server the integration tests
// use: BATCH_SQS_ENDPOINT (set by scripts/test.sh), or a moto_server that
// TestMain starts itself.
var sqsEndpoint string

// TestMain makes sure an SQS-compatible server is running, runs the tests,
// and then fails if any goroutine other than the HTTP client's idle
// connections is left behind.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	sqsEndpoint = os.Getenv("BATCH_SQS_ENDPOINT")
	// A fuzzing worker process runs only the fuzz target: no server.
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		return m.Run()
	}
	if sqsEndpoint == "" {
		endpoint, stop, err := testserver.Moto()
		if err != nil {
			fmt.Fprintf(os.Stderr, "sqsdelete tests need an SQS server: %v\nrun ./scripts/test.sh from the repository root, which installs and starts moto_server\n", err)
			return 1
		}
		defer stop()
		sqsEndpoint = endpoint
	}
	// The goroutine waiting for moto_server is not the tests' doing.
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
var transport = http.DefaultTransport.(*http.Transport).Clone()
