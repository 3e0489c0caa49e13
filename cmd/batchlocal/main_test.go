package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch/internal/testserver"
)

// The end-to-end tests run the command as a user does, on functions
// built as real binaries: the repository's examples and the functions of
// testdata. The real backends are servers on this machine: moto for SQS
// and DynamoDB Streams (BATCH_SQS_ENDPOINT), kinesalite for Kinesis
// (BATCH_KINESIS_ENDPOINT). scripts/test.sh starts both; run alone, the
// tests start them themselves, and skip, saying why, only the tests of a
// server that cannot be installed on this machine.

var (
	soak = flag.Bool("soak", false, "also run the long soak tests (tens of thousands of records)")

	sqsEndpoint, kinesisEndpoint string
	sqsMissing, kinesisMissing   string // why the server is missing

	binDir string // the functions built for the tests
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	if binDir, err = os.MkdirTemp("", "batchlocal-test"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(binDir)

	sqsEndpoint = os.Getenv("BATCH_SQS_ENDPOINT")
	if sqsEndpoint == "" {
		endpoint, stop, err := testserver.Moto()
		if err != nil {
			sqsMissing = "moto_server is not available on this machine (" + err.Error() + "); ./scripts/test.sh installs it"
		} else {
			defer stop()
			sqsEndpoint = endpoint
		}
	}
	kinesisEndpoint = os.Getenv("BATCH_KINESIS_ENDPOINT")
	if kinesisEndpoint == "" {
		endpoint, stop, err := startKinesalite()
		if err != nil {
			kinesisMissing = "kinesalite is not available on this machine (" + err.Error() + "); it needs Node.js and npm"
		} else {
			defer stop()
			kinesisEndpoint = endpoint
		}
	}
	return m.Run()
}

func needSQS(t *testing.T) {
	t.Helper()
	if sqsEndpoint == "" {
		t.Skip(sqsMissing)
	}
}

func needKinesis(t *testing.T) {
	t.Helper()
	if kinesisEndpoint == "" {
		t.Skip(kinesisMissing)
	}
	needSQS(t) // the on-failure destination is an SQS queue
}

// startKinesalite starts kinesalite on loopback with scripts/kinesalite.js,
// installing it into the repository's .tools with npm when it is missing.
func startKinesalite() (string, func(), error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", nil, errors.New("node is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", nil, err
	}
	dir := filepath.Join(root, ".tools", "kinesalite")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "kinesalite")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", nil, errors.New("kinesalite is not in .tools and npm is not installed")
		}
		if out, err := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", "kinesalite@3.3.3").CombinedOutput(); err != nil {
			return "", nil, fmt.Errorf("npm install kinesalite: %v: %s", err, out)
		}
	}
	port, err := testserver.FreePort()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(node, filepath.Join(root, "scripts", "kinesalite.js"), strconv.Itoa(port))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	stop, err := testserver.Start(cmd, testserver.Answers(endpoint+"/"), 15*time.Second)
	if err != nil {
		return "", nil, fmt.Errorf("%v: %s", err, out.String())
	}
	return endpoint, stop, nil
}

// built holds the functions built so far, each once per test binary.
var built sync.Map // name -> *buildOnce

type buildOnce struct {
	once sync.Once
	path string
	err  error
}

// function returns the binary of an example ("examples/sqs") or a test
// function ("testdata/slow"), built for this machine as the command
// builds a Go main package.
func function(t testing.TB, name string) string {
	t.Helper()
	v, _ := built.LoadOrStore(name, &buildOnce{})
	b := v.(*buildOnce)
	b.once.Do(func() {
		dir := filepath.Join("..", "..", name, "lambda")
		if strings.HasPrefix(name, "testdata/") {
			dir = name
		}
		b.path = filepath.Join(binDir, strings.ReplaceAll(name, "/", "-"), "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", b.path, ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("building %s: %v\n%s", dir, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// cli runs the command with args, as main does, and returns what it
// printed.
func cli(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// runJSON runs "run" with --json and returns the summary, failing the
// test on an error.
func runJSON(t *testing.T, args ...string) *summary {
	t.Helper()
	out, errOut, err := cli(t, append(append([]string{"run"}, args...), "--json", "--progress", "never")...)
	if err != nil {
		t.Fatalf("run %v: %v\n%s", args, err, errOut)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("run %v: the summary is not JSON: %v\n%s", args, err, out)
	}
	return &s
}

// readTrace reads a file written by --trace.
func readTrace(t *testing.T, path string) *traceFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tf traceFile
	if err := json.Unmarshal(b, &tf); err != nil {
		t.Fatal(err)
	}
	return &tf
}

// unique returns a name of a queue or stream no other test uses.
func unique(t testing.TB, prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e9)
}

func payloads(fs []failedRecord, state string) []string {
	var out []string
	for _, f := range fs {
		if f.State == state {
			out = append(out, f.Payload)
		}
	}
	return out
}
