// Package runtimeapi is a small AWS Lambda Runtime API: it hands
// invocations to a function process that runs the aws-lambda-go runtime (or
// any other) and collects its responses. The cold-start tool measures with
// its [Server]; the local runner (cmd/batchlocal) runs users' functions
// with its [Function], which starts the process, restarts it as Lambda
// would, and enforces the timeout.
//
// The server speaks the parts of the API a runtime needs, as documented in
// the AWS Lambda Developer Guide, "Using the Lambda runtime API for custom
// runtimes": GET /2018-06-01/runtime/invocation/next (with the
// Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
// Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id
// headers), POST …/invocation/{id}/response and …/invocation/{id}/error
// (its error type in the Lambda-Runtime-Function-Error-Type header, or in
// a trailer of that name as aws-lambda-go sends it), and
// POST /2018-06-01/runtime/init/error.
package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// FunctionARN is the ARN the server reports for the invoked function when
// its [Config] names none.
const FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:local"

// Result is what the function answered to one invocation.
type Result struct {
	Payload   []byte // the response body, or the error document
	Failed    bool   // true when the invocation failed: the function posted to …/error, or (Function) timed out, crashed or failed to initialise
	ErrorType string // the error's type: the Lambda-Runtime-Function-Error-Type of an error, or Lambda's own ("Sandbox.Timedout", "Runtime.ExitError")

	// Filled in by Function.Invoke:
	RequestID string        // the Lambda-Runtime-Aws-Request-Id
	Duration  time.Duration // from handing the invocation out to the answer
	Init      time.Duration // on a cold start, from starting the process to its first poll; 0 otherwise
	MaxMemory int64         // the process's peak resident memory in bytes, where the system tells (Linux); 0 otherwise
}

// ErrInitFailed is returned by Invoke when the function reported an
// initialisation error.
var ErrInitFailed = errors.New("runtimeapi: function reported an init error")

// Request is one invocation as the server hands it to the function.
type Request struct {
	// ID is the Lambda-Runtime-Aws-Request-Id; empty means a new UUID.
	ID string
	// Payload is the event.
	Payload []byte
	// Deadline is sent as Lambda-Runtime-Deadline-Ms.
	Deadline time.Time
	// TraceID is the Lambda-Runtime-Trace-Id; empty means a new X-Ray
	// trace header, not sampled.
	TraceID string
}

type invocation struct {
	req   Request
	done  chan Result
	taken atomic.Bool // handed out by GET …/next
}

// Config configures a [Server]. The zero value is ready to use.
type Config struct {
	// FunctionARN is sent as Lambda-Runtime-Invoked-Function-Arn; empty
	// means the constant [FunctionARN].
	FunctionARN string
}

// Server is a running Runtime API on a loopback port. It is safe for
// concurrent use.
type Server struct {
	cfg    Config
	ln     net.Listener
	srv    *http.Server
	queue  chan *invocation
	seq    atomic.Int64
	polled chan struct{} // closed at the first GET …/next
	once   sync.Once

	initOnce   sync.Once
	initFailed chan struct{} // closed at the first POST …/init/error
	initBody   []byte
	initType   string

	mu      sync.Mutex
	pending map[string]*invocation
}

// Start starts a server on 127.0.0.1 with a free port.
func Start() (*Server, error) { return Listen(Config{}) }

// Listen starts a server configured by cfg on 127.0.0.1 with a free port.
func Listen(cfg Config) (*Server, error) {
	if cfg.FunctionARN == "" {
		cfg.FunctionARN = FunctionARN
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		ln:         ln,
		queue:      make(chan *invocation),
		polled:     make(chan struct{}),
		initFailed: make(chan struct{}),
		pending:    make(map[string]*invocation),
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr returns the host:port to put into AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Polled returns a channel closed when the function first asks for an
// invocation, that is when its initialisation is over.
func (s *Server) Polled() <-chan struct{} { return s.polled }

// InitFailed returns a channel closed when the function reports an
// initialisation error; [Server.InitError] then returns it.
func (s *Server) InitFailed() <-chan struct{} { return s.initFailed }

// InitError returns the error document the function posted to
// …/init/error, and its error type, once [Server.InitFailed] is closed.
func (s *Server) InitError() (payload []byte, errorType string) {
	select {
	case <-s.initFailed:
		return s.initBody, s.initType
	default:
		return nil, ""
	}
}

// Close stops the server. Invocations in flight end with an error.
func (s *Server) Close() error { return s.srv.Close() }

// Invoke hands payload to the function, with a deadline timeout from now,
// and waits for its answer, for ctx to end, or for an init error.
func (s *Server) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	inv := s.newInvocation(Request{
		ID:       "req-" + strconv.FormatInt(s.seq.Add(1), 10),
		Payload:  payload,
		Deadline: time.Now().Add(timeout),
	})
	select {
	case s.queue <- inv:
	case <-s.initFailed:
		return Result{Payload: s.initBody, Failed: true, ErrorType: s.initType}, ErrInitFailed
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Do hands req to the function at its next GET …/invocation/next and
// waits for the answer, or for ctx to end. When ctx ends first, Do returns
// its error, and taken says whether the function had received req.
func (s *Server) Do(ctx context.Context, req Request) (res Result, taken bool, err error) {
	inv := s.newInvocation(req)
	select {
	case s.queue <- inv:
	case <-ctx.Done():
		return Result{}, false, ctx.Err()
	}
	select {
	case r := <-inv.done:
		return r, true, nil
	case <-ctx.Done():
		select {
		case r := <-inv.done: // answered just before ctx ended
			return r, true, nil
		default:
		}
		s.mu.Lock()
		delete(s.pending, inv.req.ID)
		s.mu.Unlock()
		return Result{}, inv.taken.Load(), ctx.Err()
	}
}

func (s *Server) newInvocation(req Request) *invocation {
	if req.ID == "" {
		req.ID = NewRequestID()
	}
	if req.TraceID == "" {
		req.TraceID = NewTraceID(time.Now())
	}
	return &invocation{req: req, done: make(chan Result, 1)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		s.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		b, _ := io.ReadAll(r.Body)
		s.initOnce.Do(func() {
			s.initBody, s.initType = b, r.Header.Get("Lambda-Runtime-Function-Error-Type")
			close(s.initFailed)
		})
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		parts := strings.Split(strings.TrimPrefix(path, "invocation/"), "/")
		if len(parts) != 2 || (parts[1] != "response" && parts[1] != "error") {
			http.NotFound(w, r)
			return
		}
		s.answer(w, r, parts[0], parts[1] == "error")
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.once.Do(func() { close(s.polled) })
	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	}
	inv.taken.Store(true)
	s.mu.Lock()
	s.pending[inv.req.ID] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.req.ID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.req.Deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", s.cfg.FunctionARN)
	h.Set("Lambda-Runtime-Trace-Id", inv.req.TraceID)
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.req.Payload)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, id string, failed bool) {
	s.mu.Lock()
	inv, ok := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if !ok {
		http.Error(w, fmt.Sprintf("unknown request id %q", id), http.StatusBadRequest)
		return
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res := Result{Payload: b, Failed: failed, RequestID: id}
	if failed {
		// A runtime whose response failed while streaming sends the error
		// in trailers (aws-lambda-go does); otherwise the type is in a
		// header, or only in the error document.
		if body := r.Trailer.Get("Lambda-Runtime-Function-Error-Body"); body != "" {
			if doc, err := base64.StdEncoding.DecodeString(body); err == nil {
				res.Payload = doc
			}
		}
		res.ErrorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
		if res.ErrorType == "" {
			res.ErrorType = r.Trailer.Get("Lambda-Runtime-Function-Error-Type")
		}
		if res.ErrorType == "" {
			var doc struct {
				Type string `json:"errorType"`
			}
			if json.Unmarshal(res.Payload, &doc) == nil {
				res.ErrorType = doc.Type
			}
		}
	}
	inv.done <- res
	w.WriteHeader(http.StatusAccepted)
}

// NewRequestID returns a random version-4 UUID, as Lambda's request ids
// are.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// NewTraceID returns an X-Ray trace header of a new trace started at t,
// not sampled, in the form Lambda sends as Lambda-Runtime-Trace-Id:
// Root=1-<8 hex digits of the epoch second>-<24 hex digits>;Parent=<16 hex
// digits>;Sampled=0.
func NewTraceID(t time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", t.Unix(), h[:24], h[24:40])
}
