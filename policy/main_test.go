package policy_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"
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
		endpoint, stop, err := startMoto()
		if err != nil {
			fmt.Fprintf(os.Stderr, "policy tests need an SQS and SNS server: %v\nrun ./scripts/test.sh from the repository root, which installs and starts moto_server\n", err)
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

// startMoto starts moto_server on a free loopback port and waits until it
// answers.
func startMoto() (endpoint string, stop func(), err error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return "", nil, errors.New("moto_server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting moto_server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			http.DefaultClient.CloseIdleConnections()
			return endpoint, stop, nil
		}
		select {
		case err := <-exited:
			exited <- err
			stop()
			return "", nil, fmt.Errorf("moto_server exited: %v", err)
		case <-ctx.Done():
			stop()
			return "", nil, errors.New("moto_server did not answer within 30s")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
