package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seed-45ee126e/batch/internal/runtimeapi"
)

// buildError is a Go main package that did not compile; its message
// carries the compiler's output.
type buildError struct {
	dir    string
	output string
	err    error
}

func (e *buildError) Error() string {
	return fmt.Sprintf("building %s: %v\n%s", e.dir, e.err, strings.TrimRight(e.output, "\n"))
}

// prepare returns the executable to run for arg: arg itself when it is an
// executable file; for a directory holding a Go main package, a binary
// built from it into tmp, for this machine, with -tags lambda.norpc as
// for deployment. name is the function's default name.
func prepare(ctx context.Context, arg, tmp string) (path, name string, err error) {
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("%s: no such file or directory; give a directory holding a Go main package, or an executable", arg)
		}
		return "", "", err
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return "", "", err
	}
	if !st.IsDir() {
		if st.Mode()&0o111 == 0 {
			return "", "", fmt.Errorf("%s is not executable; give an executable (chmod +x) or the directory of a Go main package", arg)
		}
		return abs, functionName(abs, false), nil
	}
	if err := mainPackage(abs); err != nil {
		return "", "", err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", "", fmt.Errorf("%s is a Go package, and building it needs the go command: %w", arg, err)
	}
	out := filepath.Join(tmp, "bootstrap")
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", "lambda.norpc", "-o", out, ".")
	cmd.Dir = abs
	if b, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return "", "", errInterrupted
		}
		return "", "", &buildError{dir: arg, output: string(b), err: err}
	}
	return out, functionName(abs, true), nil
}

// mainPackage checks that dir holds the Go files of a main package.
func mainPackage(dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		names = append(names, pf.Name.Name)
	}
	switch {
	case len(names) == 0:
		return fmt.Errorf("%s is a directory without Go files; give a directory holding a Go main package, or an executable", dir)
	case !contains(names, "main"):
		return fmt.Errorf("%s holds package %s, not a main package: give the directory of the function's main (lambda.Start)", dir, names[0])
	}
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// functionName derives a function name from its path: the directory's
// name, or its parent's for a directory called lambda or cmd (the
// layout of this repository's examples), or the executable's name.
func functionName(abs string, dir bool) string {
	if !dir {
		if b := filepath.Base(abs); b != "bootstrap" {
			return b
		}
		abs = filepath.Dir(abs)
	}
	b := filepath.Base(abs)
	if b == "lambda" || b == "cmd" || b == "bootstrap" {
		b = filepath.Base(filepath.Dir(abs))
	}
	return b
}

// functionError is an invocation that failed: the function's error
// document, or Lambda's own for a timeout, a crash or a failed init.
type functionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	doc     []byte
}

func (e *functionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// newFunctionError reads an error document.
func newFunctionError(res runtimeapi.Result) *functionError {
	e := &functionError{doc: res.Payload}
	if json.Unmarshal(res.Payload, e) != nil || e.Message == "" && e.Type == "" {
		e.Message = strings.TrimSpace(string(res.Payload))
	}
	if e.Type == "" {
		e.Type = res.ErrorType
	}
	return e
}

// lambdaFunction is the user's function run under the local Runtime API:
// an esm.Function, which the simulators and the pollers of real queues
// and streams invoke one invocation at a time.
type lambdaFunction struct {
	fn     *runtimeapi.Function
	log    io.Writer
	memory int

	// fatal, once set, is why no invocation can run (the executable does
	// not start); cancel stops the run.
	fatal  error
	cancel context.CancelFunc

	mu         sync.Mutex
	stats      invocationStats
	lastID     string
	lastFailed bool
}

// last returns the request id of the last invocation, and whether it
// failed.
func (l *lambdaFunction) last() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastID, l.lastFailed
}

// invocationStats is what the runner saw of its invocations, in wall
// time.
type invocationStats struct {
	durations  []time.Duration
	coldStarts int
	initTotal  time.Duration
	errors     map[string]int // by error type
	maxMemory  int64
}

func (l *lambdaFunction) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	id := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		id = lc.AwsRequestID
	}
	if id == "" {
		id = runtimeapi.NewRequestID()
	}
	fmt.Fprintf(l.log, "START RequestId: %s Version: $LATEST\n", id)
	res, err := l.fn.Invoke(ctx, id, payload)
	if err != nil {
		if ctx.Err() == nil && l.cancel != nil {
			l.fatal = err
			l.cancel()
		}
		return nil, err
	}
	l.record(res)
	fmt.Fprintf(l.log, "END RequestId: %s\n%s\n", id, reportLine(res, l.memory))
	if res.Failed {
		return nil, newFunctionError(res)
	}
	return res.Payload, nil
}

func (l *lambdaFunction) record(res runtimeapi.Result) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastID, l.lastFailed = res.RequestID, res.Failed
	s := &l.stats
	s.durations = append(s.durations, res.Duration)
	if res.Init > 0 {
		s.coldStarts++
		s.initTotal += res.Init
	}
	if res.Failed {
		if s.errors == nil {
			s.errors = map[string]int{}
		}
		t := res.ErrorType
		if t == "" {
			t = "Unhandled"
		}
		s.errors[t]++
	}
	if res.MaxMemory > s.maxMemory {
		s.maxMemory = res.MaxMemory
	}
}

func (l *lambdaFunction) snapshot() invocationStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.durations = append([]time.Duration(nil), s.durations...)
	return s
}

// reportLine is Lambda's REPORT log line for an invocation.
func reportLine(res runtimeapi.Result, memory int) string {
	ms := float64(res.Duration.Microseconds()) / 1000
	billed := (res.Duration + time.Millisecond - 1).Milliseconds() // Lambda bills by the millisecond, rounded up
	line := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB", res.RequestID, ms, billed, memory)
	if res.MaxMemory > 0 {
		line += fmt.Sprintf("\tMax Memory Used: %d MB", res.MaxMemory>>20)
	}
	if res.Init > 0 {
		line += fmt.Sprintf("\tInit Duration: %.2f ms", float64(res.Init.Microseconds())/1000)
	}
	if res.Failed && res.ErrorType != "" {
		line += "\tStatus: error\tError Type: " + res.ErrorType
	}
	return line
}

// startFunction prepares the function of the command line (in a
// temporary directory, where a main package is built) and starts its
// Runtime API. The caller calls stop, which also removes the directory.
func startFunction(ctx context.Context, arg string, ff *functionFlags, stderr io.Writer) (_ *lambdaFunction, _ string, stop func() error, err error) {
	tmp, err := os.MkdirTemp("", "batchlocal")
	if err != nil {
		return nil, "", nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	path, name, err := prepare(ctx, arg, tmp)
	if err != nil {
		return nil, "", nil, err
	}
	if ff.name != "" {
		name = ff.name
	}
	env, err := ff.environment()
	if err != nil {
		return nil, "", nil, err
	}
	log, closeLog, err := openLog(ff.log, stderr)
	if err != nil {
		return nil, "", nil, err
	}
	out := log
	if log == io.Discard {
		out = nil // the process writes to the null device, with no copying
	}
	fn, err := runtimeapi.NewFunction(runtimeapi.FunctionConfig{
		Path:     path,
		Name:     name,
		MemoryMB: ff.memory,
		Timeout:  ff.timeout,
		Region:   ff.regionOr(),
		Handler:  ff.handler,
		Env:      env,
		Stdout:   out,
		Stderr:   out,
	})
	if err != nil {
		closeLog()
		return nil, "", nil, err
	}
	lf := &lambdaFunction{fn: fn, log: log, memory: ff.memory}
	stop = func() error {
		fn.Close()
		defer os.RemoveAll(tmp)
		return closeLog()
	}
	return lf, name, stop, nil
}

// openLog opens the destination of the function's output.
func openLog(spec string, stderr io.Writer) (io.Writer, func() error, error) {
	switch spec {
	case "", "none":
		return io.Discard, func() error { return nil }, nil
	case "-":
		return &syncWriter{w: stderr}, func() error { return nil }, nil
	}
	f, err := os.Create(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("--function-log: %w", err)
	}
	return &syncWriter{w: f}, f.Close, nil
}

// syncWriter serialises writes: the function's stdout and stderr, and
// the runner's own lines, go to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// percentiles returns the p-th percentiles of ds (nearest rank).
func percentiles(ds []time.Duration, ps ...float64) []time.Duration {
	out := make([]time.Duration, len(ps))
	if len(ds) == 0 {
		return out
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	for i, p := range ps {
		k := int(p/100*float64(len(s)) + 0.999999)
		if k < 1 {
			k = 1
		}
		if k > len(s) {
			k = len(s)
		}
		out[i] = s[k-1]
	}
	return out
}
