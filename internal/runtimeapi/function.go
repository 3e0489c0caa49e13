package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// InitLimit is how long Lambda lets a function initialise in the init
// phase of an on-demand execution environment (AWS Lambda Developer
// Guide, "Understanding the Lambda execution environment lifecycle").
const InitLimit = 10 * time.Second

// FunctionConfig configures a [Function]: the executable, and what a
// Lambda function's configuration says. The zero value of every field
// but Path means Lambda's default.
type FunctionConfig struct {
	// Path is the executable: a bootstrap, or any program that runs a
	// Lambda runtime. Its directory is the working directory and
	// LAMBDA_TASK_ROOT, as /var/task is on Lambda.
	Path string
	// Args are the arguments of the executable.
	Args []string
	// Name is the function's name, in AWS_LAMBDA_FUNCTION_NAME, the log
	// group and the ARN; "" means "function".
	Name string
	// MemoryMB is the memory setting, in AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
	// 0 means 128. It is not enforced: Lambda's limit is a cgroup, which
	// a local process does not have; [Result.MaxMemory] reports the peak.
	MemoryMB int
	// Timeout is the function timeout; 0 means 3 seconds, Lambda's
	// default.
	Timeout time.Duration
	// Region is AWS_REGION, AWS_DEFAULT_REGION and the ARN's; "" means
	// us-east-1.
	Region string
	// Handler is _HANDLER, the function's handler setting; "" means
	// "bootstrap".
	Handler string
	// Env holds the function's environment variables, KEY=VALUE, as its
	// configuration sets them. A key Lambda reserves (see
	// [ReservedEnv]) is an error.
	Env []string
	// Stdout and Stderr receive the function's output; nil discards it.
	Stdout, Stderr io.Writer
}

// ReservedEnv lists the environment variables Lambda sets itself and
// refuses in a function's configuration (AWS Lambda Developer Guide,
// "Defined runtime environment variables").
var ReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// Function runs a Lambda function's executable the way Lambda runs it in
// one execution environment: one process, started at the first
// invocation (a cold start) with the environment Lambda sets, given one
// invocation at a time through a [Server] of its own, and started again
// after it timed out, crashed or failed to initialise. Build it with
// [NewFunction]; Close stops it.
//
// Invoke never returns the function's failures as errors: a timeout, a
// crash, an init error or an error the function posted is a [Result] with
// Failed set and, for those Lambda reports itself, its error document:
//
//   - a timeout: the process (its whole process group) is killed and the
//     invocation fails with {"errorType":"Sandbox.Timedout",
//     "errorMessage":"RequestId: <id> Error: Task timed out after 3.00
//     seconds"}, the document and message AWS's Runtime Interface
//     Emulator (aws/aws-lambda-runtime-interface-emulator, cmd/aws-lambda-rie)
//     writes for a timed-out invoke; the next invocation starts a new process;
//   - a process that exits while handling the invocation: errorType
//     "Runtime.ExitError", errorMessage "RequestId: <id> Error: Runtime
//     exited with error: exit status 2" (or "signal: killed", or "Runtime
//     exited without providing a reason" for a status of 0);
//   - an init that fails (an exit, or a POST to …/init/error) or takes
//     longer than [InitLimit]: as Lambda does, the init is tried again in
//     the invoke phase, under the function timeout; if that fails too,
//     the invocation fails with the error posted, the exit as above, or
//     the timeout.
//
// A process that exits between invocations (aws-lambda-go exits after a
// panic, once it has reported it) is started again for the next one.
type Function struct {
	cfg    FunctionConfig
	arn    string
	env    []string // without the per-process variables
	mu     sync.Mutex
	pmu    sync.Mutex // guards cur and closed, for Close during Invoke
	cur    *instance
	closed bool
	starts int
}

// instance is one process of the function and its Runtime API.
type instance struct {
	srv    *Server
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed

	startedAt time.Time
	init      time.Duration
}

// NewFunction checks cfg and returns the function, whose process starts
// at the first invocation. It returns an error when Path is not an
// executable file or Env sets a reserved variable.
func NewFunction(cfg FunctionConfig) (*Function, error) {
	st, err := os.Stat(cfg.Path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not an executable", cfg.Path)
	}
	if st.Mode()&0o111 == 0 && !strings.EqualFold(filepath.Ext(cfg.Path), ".exe") {
		return nil, fmt.Errorf("%s is not executable", cfg.Path)
	}
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, err
	}
	cfg.Path = abs
	if cfg.Name == "" {
		cfg.Name = "function"
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Handler == "" {
		cfg.Handler = "bootstrap"
	}
	reserved := map[string]bool{}
	for _, k := range ReservedEnv {
		reserved[k] = true
	}
	for _, kv := range cfg.Env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("environment variable %q: want KEY=VALUE", kv)
		}
		if reserved[k] {
			return nil, fmt.Errorf("environment variable %s is reserved: Lambda sets it itself", k)
		}
	}
	f := &Function{cfg: cfg, arn: fmt.Sprintf("arn:aws:lambda:%s:123456789012:function:%s", cfg.Region, cfg.Name)}
	dir := filepath.Dir(abs)
	f.env = []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(cfg.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + cfg.Name,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + cfg.Region,
		"AWS_DEFAULT_REGION=" + cfg.Region,
		"_HANDLER=" + cfg.Handler,
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=" + os.Getenv("PATH"),
	}
	// Lambda gives the function its execution role's credentials; locally
	// the caller's own stand in for them.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if v, ok := os.LookupEnv(k); ok {
			f.env = append(f.env, k+"="+v)
		}
	}
	f.env = append(f.env, cfg.Env...)
	return f, nil
}

// ARN returns the function's ARN, sent as Lambda-Runtime-Invoked-Function-Arn.
func (f *Function) ARN() string { return f.arn }

// Timeout returns the function timeout.
func (f *Function) Timeout() time.Duration { return f.cfg.Timeout }

// Starts returns how many processes were started so far: the cold starts.
func (f *Function) Starts() int {
	f.pmu.Lock()
	defer f.pmu.Unlock()
	return f.starts
}

// errClosed is returned by Invoke after Close.
var errClosed = errors.New("runtimeapi: function closed")

// Invoke hands payload to the function, as Lambda would under request id
// id (empty: a new one), and returns its answer. The error is ctx's when
// ctx ends first (the process is then stopped, and started again at the
// next invocation), or one that prevents running the executable at all
// (such as an exec format error); the function's own failures are
// Results (see [Function]). Invocations run one at a time.
func (f *Function) Invoke(ctx context.Context, id string, payload []byte) (Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id == "" {
		id = NewRequestID()
	}
	for restarts := 0; ; restarts++ {
		inst, initDur, suppressed, failure, err := f.ready(ctx, id)
		if err != nil {
			return Result{}, err
		}
		if failure != nil {
			failure.Init = initDur
			return *failure, nil
		}
		timeout := f.cfg.Timeout
		if suppressed {
			timeout -= initDur // the init ran in the invoke phase, on its clock
		}
		res, again, err := f.do(ctx, inst, id, payload, timeout)
		if err != nil {
			return Result{}, err
		}
		if again && restarts < 2 {
			continue // the process had exited before it took the invocation
		}
		res.Init = initDur
		return res, nil
	}
}

// ready returns the running instance, starting one if there is none. On
// a cold start, initDur is how long the init took, suppressed says it ran
// in the invoke phase (the first try failed), and failure is the
// invocation's result when the init failed twice.
func (f *Function) ready(ctx context.Context, id string) (inst *instance, initDur time.Duration, suppressed bool, failure *Result, err error) {
	f.pmu.Lock()
	inst, closed := f.cur, f.closed
	f.pmu.Unlock()
	if closed {
		return nil, 0, false, nil, errClosed
	}
	if inst != nil {
		select {
		case <-inst.exited:
			f.drop(inst) // exited between invocations: a cold start
		default:
			return inst, 0, false, nil, nil
		}
	}
	// The init phase, then, when it fails, the init again in the invoke
	// phase, under the function timeout.
	for phase, limit := range []time.Duration{InitLimit, f.cfg.Timeout} {
		inst, err := f.start()
		if err != nil {
			return nil, 0, false, nil, err
		}
		timer := time.NewTimer(limit)
		select {
		case <-inst.srv.Polled():
			timer.Stop()
			inst.init = time.Since(inst.startedAt)
			return inst, inst.init, phase == 1, nil, nil
		case <-inst.srv.InitFailed():
			timer.Stop()
			f.drop(inst)
			body, typ := inst.srv.InitError()
			failure = &Result{RequestID: id, Payload: body, Failed: true, ErrorType: typ}
			if typ == "" {
				failure.ErrorType = "Runtime.InitError"
			}
		case <-inst.exited:
			timer.Stop()
			f.drop(inst)
			failure = exitResult(id, inst.err)
		case <-timer.C:
			f.drop(inst)
			if phase == 1 {
				failure = timeoutResult(id, f.cfg.Timeout)
			}
		case <-ctx.Done():
			timer.Stop()
			f.drop(inst)
			return nil, 0, false, nil, ctx.Err()
		}
	}
	return nil, 0, true, failure, nil
}

// do hands one invocation to inst and waits for its answer, its exit, the
// timeout or ctx. again says the process exited before it took the
// invocation, which should go to a new one.
func (f *Function) do(ctx context.Context, inst *instance, id string, payload []byte, timeout time.Duration) (res Result, again bool, err error) {
	type answer struct {
		res   Result
		taken bool
		err   error
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	deadline := start.Add(timeout)
	ch := make(chan answer, 1)
	go func() {
		r, taken, err := inst.srv.Do(dctx, Request{ID: id, Payload: payload, Deadline: deadline})
		ch <- answer{r, taken, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	finish := func(r Result) (Result, bool, error) {
		r.RequestID = id
		r.Duration = time.Since(start)
		r.MaxMemory = peakMemory(inst.cmd.Process.Pid)
		return r, false, nil
	}
	select {
	case a := <-ch:
		if a.err != nil { // ctx ended as the answer came
			f.drop(inst)
			return Result{}, false, a.err
		}
		return finish(a.res)
	case <-inst.exited:
		cancel()
		a := <-ch
		if a.err == nil {
			return finish(a.res) // answered, then exited: aws-lambda-go does after a panic
		}
		f.drop(inst)
		if !a.taken {
			return Result{}, true, nil
		}
		return finish(*exitResult(id, inst.err))
	case <-timer.C:
		cancel()
		<-ch
		f.drop(inst)
		r := timeoutResult(id, timeout)
		r.Duration = time.Since(start)
		return *r, false, nil
	case <-ctx.Done():
		cancel()
		<-ch
		f.drop(inst)
		return Result{}, false, ctx.Err()
	}
}

// start starts a process with a Runtime API of its own.
func (f *Function) start() (*instance, error) {
	srv, err := Listen(Config{FunctionARN: f.arn})
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(f.cfg.Path, f.cfg.Args...)
	cmd.Dir = filepath.Dir(f.cfg.Path)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + srv.Addr(),
		"AWS_LAMBDA_LOG_STREAM_NAME=" + logStream(time.Now()),
	}, f.env...)
	cmd.Stdout, cmd.Stderr = f.cfg.Stdout, f.cfg.Stderr
	cmd.SysProcAttr = sysProcAttr()
	// A process of the group that keeps the output open must not make
	// Wait hang once the function's own process has exited.
	cmd.WaitDelay = time.Second
	inst := &instance{srv: srv, cmd: cmd, exited: make(chan struct{})}
	f.pmu.Lock()
	if f.closed {
		f.pmu.Unlock()
		srv.Close()
		return nil, errClosed
	}
	if err := cmd.Start(); err != nil {
		f.pmu.Unlock()
		srv.Close()
		return nil, fmt.Errorf("starting %s: %w", f.cfg.Path, err)
	}
	inst.startedAt = time.Now()
	f.cur = inst
	f.starts++
	f.pmu.Unlock()
	go func() {
		inst.err = cmd.Wait()
		close(inst.exited)
	}()
	return inst, nil
}

// drop stops inst: its process group is killed, its server closed, and
// the next invocation starts a new process.
func (f *Function) drop(inst *instance) {
	f.pmu.Lock()
	if f.cur == inst {
		f.cur = nil
	}
	f.pmu.Unlock()
	inst.stop()
}

func (i *instance) stop() {
	killGroup(i.cmd)
	<-i.exited
	killGroup(i.cmd) // what the process left behind in its group
	i.srv.Close()
}

// Close stops the function's process, and with it every process of its
// process group, and makes further invocations fail. An Invoke in flight
// returns as if its process had been killed.
func (f *Function) Close() error {
	f.pmu.Lock()
	inst := f.cur
	f.cur, f.closed = nil, true
	f.pmu.Unlock()
	if inst != nil {
		inst.stop()
	}
	return nil
}

// errorDoc is the error document Lambda returns for the failures it
// reports itself.
func errorDoc(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{msg, typ})
	return b
}

func timeoutResult(id string, timeout time.Duration) *Result {
	msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", id, timeout.Seconds())
	return &Result{RequestID: id, Payload: errorDoc("Sandbox.Timedout", msg), Failed: true, ErrorType: "Sandbox.Timedout"}
}

func exitResult(id string, err error) *Result {
	msg := fmt.Sprintf("RequestId: %s Error: Runtime exited without providing a reason", id)
	var ee *exec.ExitError
	if errors.As(err, &ee) || (err != nil && !errors.Is(err, exec.ErrWaitDelay)) {
		msg = fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", id, err)
	}
	return &Result{RequestID: id, Payload: errorDoc("Runtime.ExitError", msg), Failed: true, ErrorType: "Runtime.ExitError"}
}

// logStream returns a log stream name shaped like Lambda's:
// 2024/01/01/[$LATEST]<32 hex digits>.
func logStream(t time.Time) string {
	id := strings.ReplaceAll(NewRequestID(), "-", "")
	return t.UTC().Format("2006/01/02") + "/[$LATEST]" + id
}
