//go:build unix

package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seed-45ee126e/batch/internal/runtimeapi"
)

// The functions of these tests are this test binary, started again with
// RUNTIMEAPI_TEST_FUNCTION set: it then runs the aws-lambda-go runtime
// (lambda.Start), unchanged, with the handler below, or fails its init
// the way the variable says.
func TestMain(m *testing.M) {
	switch os.Getenv("RUNTIMEAPI_TEST_FUNCTION") {
	case "":
		os.Exit(m.Run())
	case "fatal-init":
		log.Fatal("cannot read the configuration")
	case "post-init-error":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"errorMessage":"no table","errorType":"Custom.Init"}`))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Custom.Init")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	default:
		lambda.Start(handler)
	}
}

// handler does what the event says: "env" returns what Lambda sets,
// "sleep" starts a child process, writes its pid to the file named by
// "pidfile", and sleeps; "panic" panics; "exit" exits with status 3.
func handler(ctx context.Context, ev map[string]string) (map[string]string, error) {
	switch ev["do"] {
	case "sleep":
		child := exec.Command("sleep", "60")
		if err := child.Start(); err != nil {
			return nil, err
		}
		if err := os.WriteFile(ev["pidfile"], []byte(strconv.Itoa(child.Process.Pid)), 0o600); err != nil {
			return nil, err
		}
		time.Sleep(time.Minute)
	case "panic":
		panic("boom")
	case "exit":
		os.Exit(3)
	case "fail":
		return nil, errors.New("the order is invalid")
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	out := map[string]string{
		"requestId": lc.AwsRequestID,
		"arn":       lc.InvokedFunctionArn,
		"deadline":  strconv.FormatInt(deadline.UnixMilli(), 10),
		"pid":       strconv.Itoa(os.Getpid()),
		"trace":     os.Getenv("_X_AMZN_TRACE_ID"),
		"cwd":       mustGetwd(),
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		out["env:"+k] = v
	}
	return out, nil
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

// newFunction returns a Function that runs this test binary as a Lambda
// function in the given mode.
func newFunction(t *testing.T, mode string, timeout time.Duration, env ...string) *runtimeapi.Function {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := runtimeapi.NewFunction(runtimeapi.FunctionConfig{
		Path:     exe,
		Name:     "orders",
		MemoryMB: 256,
		Timeout:  timeout,
		Region:   "eu-west-1",
		Env:      append([]string{"RUNTIMEAPI_TEST_FUNCTION=" + mode}, env...),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func invoke(t *testing.T, f *runtimeapi.Function, ev map[string]string) (runtimeapi.Result, map[string]string) {
	t.Helper()
	payload, _ := json.Marshal(ev)
	res, err := f.Invoke(context.Background(), "", payload)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]string
	if !res.Failed {
		if err := json.Unmarshal(res.Payload, &out); err != nil {
			t.Fatalf("response %s: %v", res.Payload, err)
		}
	}
	return res, out
}

// The environment is the one Lambda sets for a provided.al2023 function
// (AWS Lambda Developer Guide, "Defined runtime environment variables"),
// and the headers reach aws-lambda-go's context.
func TestFunctionEnvironmentAndHeaders(t *testing.T) {
	f := newFunction(t, "run", 5*time.Second, "TABLE=orders")
	before := time.Now()
	res, out := invoke(t, f, map[string]string{"do": "env"})
	if res.Failed {
		t.Fatalf("got a failed invocation %s, want a response", res.Payload)
	}
	exe, _ := os.Executable()
	dir := filepath.Dir(exe)
	want := map[string]string{
		"env:AWS_LAMBDA_FUNCTION_NAME":        "orders",
		"env:AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"env:AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"env:AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/orders",
		"env:AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"env:AWS_REGION":                      "eu-west-1",
		"env:AWS_DEFAULT_REGION":              "eu-west-1",
		"env:_HANDLER":                        "bootstrap",
		"env:LAMBDA_TASK_ROOT":                dir,
		"env:LAMBDA_RUNTIME_DIR":              dir,
		"env:TZ":                              ":UTC",
		"env:LANG":                            "en_US.UTF-8",
		"env:TABLE":                           "orders",
		"requestId":                           res.RequestID,
		"arn":                                 f.ARN(),
		"cwd":                                 dir,
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s: got %q, want %q", k, out[k], v)
		}
	}
	if !strings.HasPrefix(out["env:AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API: got %q, want a loopback address", out["env:AWS_LAMBDA_RUNTIME_API"])
	}
	if s := out["env:AWS_LAMBDA_LOG_STREAM_NAME"]; !strings.Contains(s, "/[$LATEST]") {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME: got %q, want Lambda's shape", s)
	}
	if _, set := out["env:AWS_EXECUTION_ENV"]; set {
		t.Error("AWS_EXECUTION_ENV: got it set, want it absent as for OS-only runtimes")
	}
	if !strings.HasPrefix(out["trace"], "Root=1-") {
		t.Errorf("_X_AMZN_TRACE_ID: got %q, want the trace header", out["trace"])
	}
	ms, _ := strconv.ParseInt(out["deadline"], 10, 64)
	if d := time.UnixMilli(ms).Sub(before); d < 4*time.Second || d > 6*time.Second {
		t.Errorf("deadline: got %v after the call, want the 5 s timeout", d)
	}
	if res.Init <= 0 {
		t.Errorf("got init %v on the first invocation, want a cold start", res.Init)
	}
	res2, out2 := invoke(t, f, map[string]string{"do": "env"})
	if res2.Init != 0 || out2["pid"] != out["pid"] || f.Starts() != 1 {
		t.Errorf("second invocation: got init %v, pid %s (first %s), %d starts; want a warm start in the same process", res2.Init, out2["pid"], out["pid"], f.Starts())
	}
}

func TestNewFunctionRejects(t *testing.T) {
	exe, _ := os.Executable()
	tests := []struct {
		name string
		cfg  runtimeapi.FunctionConfig
		want string
	}{
		{"a missing file", runtimeapi.FunctionConfig{Path: filepath.Join(t.TempDir(), "bootstrap")}, "no such file"},
		{"a directory", runtimeapi.FunctionConfig{Path: t.TempDir()}, "is a directory"},
		{"a reserved variable", runtimeapi.FunctionConfig{Path: exe, Env: []string{"AWS_REGION=x"}}, "reserved"},
		{"a variable without =", runtimeapi.FunctionConfig{Path: exe, Env: []string{"TABLE"}}, "KEY=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runtimeapi.NewFunction(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// A timeout kills the process and what it started, fails the invocation
// as Lambda does, and the next invocation starts a new process.
func TestFunctionTimeout(t *testing.T) {
	f := newFunction(t, "run", 500*time.Millisecond)
	pidfile := filepath.Join(t.TempDir(), "child")
	res, _ := invoke(t, f, map[string]string{"do": "sleep", "pidfile": pidfile})
	want := fmt.Sprintf(`{"errorMessage":"RequestId: %s Error: Task timed out after 0.50 seconds","errorType":"Sandbox.Timedout"}`, res.RequestID)
	if !res.Failed || res.ErrorType != "Sandbox.Timedout" || string(res.Payload) != want {
		t.Errorf("got %+v %s, want a failure %s", res, res.Payload, want)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(string(b))
	if aliveAfter(child, 5*time.Second) {
		t.Errorf("the function's child process %d is alive, want it killed with the function", child)
	}
	res, out := invoke(t, f, map[string]string{"do": "env"})
	if res.Failed || res.Init == 0 || f.Starts() != 2 {
		t.Errorf("after the timeout: got %+v, %d starts, want a cold start that succeeds", res, f.Starts())
	}
	if out["pid"] == "" {
		t.Error("got no response, want one")
	}
}

// aliveAfter reports whether process pid is still alive after waiting up to
// d for it to go: a process group killed with SIGKILL dies as soon as the
// kernel delivers the signal, which on a loaded machine can be after the
// call that sent it has returned.
func aliveAfter(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for alive(pid) {
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // not Linux: Kill said it exists
	}
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}

// aws-lambda-go reports a panic as the invocation's error and exits: the
// next invocation is a cold start. An error the handler returns keeps
// the process.
func TestFunctionPanicAndError(t *testing.T) {
	f := newFunction(t, "run", 5*time.Second)
	res, _ := invoke(t, f, map[string]string{"do": "fail"})
	if !res.Failed || !strings.Contains(string(res.Payload), "the order is invalid") || res.ErrorType == "" {
		t.Errorf("error: got %+v %s, want the handler's error with its type", res, res.Payload)
	}
	res, _ = invoke(t, f, map[string]string{"do": "panic"})
	if !res.Failed || !strings.Contains(string(res.Payload), "boom") {
		t.Errorf("panic: got %+v %s, want the panic's error", res, res.Payload)
	}
	res, _ = invoke(t, f, map[string]string{"do": "env"})
	if res.Failed || res.Init == 0 || f.Starts() != 2 {
		t.Errorf("after the panic: got %+v, %d starts, want one more cold start", res, f.Starts())
	}
}

// A process that exits while it handles an invocation fails it with
// Runtime.ExitError.
func TestFunctionExit(t *testing.T) {
	f := newFunction(t, "run", 5*time.Second)
	res, _ := invoke(t, f, map[string]string{"do": "exit"})
	want := fmt.Sprintf(`{"errorMessage":"RequestId: %s Error: Runtime exited with error: exit status 3","errorType":"Runtime.ExitError"}`, res.RequestID)
	if !res.Failed || string(res.Payload) != want {
		t.Errorf("got %s, want %s", res.Payload, want)
	}
}

// An init that fails is tried again in the invoke phase, then fails the
// invocation: with the exit status, or with the error document the
// runtime posted to …/init/error.
func TestFunctionInitFailure(t *testing.T) {
	tests := []struct {
		mode, errorType, message string
	}{
		{"fatal-init", "Runtime.ExitError", "Runtime exited with error: exit status 1"},
		{"post-init-error", "Custom.Init", `"errorMessage":"no table"`},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			f := newFunction(t, tt.mode, 5*time.Second)
			res, _ := invoke(t, f, map[string]string{"do": "env"})
			if !res.Failed || res.ErrorType != tt.errorType || !strings.Contains(string(res.Payload), tt.message) {
				t.Errorf("got %+v %s, want a %s failure with %q", res, res.Payload, tt.errorType, tt.message)
			}
			if f.Starts() != 2 {
				t.Errorf("got %d starts, want 2: the init phase, then the init again in the invoke phase", f.Starts())
			}
		})
	}
}

// Cancelling the context stops the process; Close stops it too, and
// invocations after Close fail.
func TestFunctionCancelAndClose(t *testing.T) {
	f := newFunction(t, "run", time.Minute)
	pidfile := filepath.Join(t.TempDir(), "child")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	payload, _ := json.Marshal(map[string]string{"do": "sleep", "pidfile": pidfile})
	if _, err := f.Invoke(ctx, "", payload); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's error", err)
	}
	if b, err := os.ReadFile(pidfile); err == nil {
		child, _ := strconv.Atoi(string(b))
		if aliveAfter(child, 5*time.Second) {
			t.Errorf("the function's child %d is alive, want it killed", child)
		}
	}
	f.Close()
	if _, err := f.Invoke(context.Background(), "", []byte(`{}`)); err == nil {
		t.Error("after Close: got no error, want one")
	}
}
