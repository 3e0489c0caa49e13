// Package runtimeapi is a small AWS Lambda Runtime API for tests and
// measurements: it hands invocations to a function process that runs the
// aws-lambda-go runtime (or any other) and collects its responses.
//
// Start a Server, run the function with AWS_LAMBDA_RUNTIME_API set to
// [Server.Addr], and call [Server.Invoke]. The server speaks the parts of
// the API a runtime needs: GET /2018-06-01/runtime/invocation/next (with the
// Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
// Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id headers),
// POST …/invocation/{id}/response and …/invocation/{id}/error, and
// POST /2018-06-01/runtime/init/error.
package runtimeapi

import (
	"context"
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

// FunctionARN is the ARN the server reports for the invoked function.
const FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:local"

// Result is what the function answered to one invocation.
type Result struct {
	Payload   []byte // the response body, or the error document
	Failed    bool   // true when the function posted to …/error
	ErrorType string // the Lambda-Runtime-Function-Error-Type header of an error
}

// ErrInitFailed is returned by Invoke when the function reported an
// initialisation error.
var ErrInitFailed = errors.New("runtimeapi: function reported an init error")

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan Result
}

// Server is a running Runtime API on a loopback port. It is safe for
// concurrent use.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	queue   chan *invocation
	seq     atomic.Int64
	polled  chan struct{} // closed at the first GET …/next
	once    sync.Once
	initErr chan []byte

	mu      sync.Mutex
	pending map[string]*invocation
}

// Start starts a server on 127.0.0.1 with a free port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		ln:      ln,
		queue:   make(chan *invocation),
		polled:  make(chan struct{}),
		initErr: make(chan []byte, 1),
		pending: make(map[string]*invocation),
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

// Close stops the server. Invocations in flight end with an error.
func (s *Server) Close() error { return s.srv.Close() }

// Invoke hands payload to the function, with a deadline timeout from now,
// and waits for its answer, for ctx to end, or for an init error.
func (s *Server) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	inv := &invocation{
		id:       "req-" + strconv.FormatInt(s.seq.Add(1), 10),
		payload:  payload,
		deadline: time.Now().Add(timeout),
		done:     make(chan Result, 1),
	}
	select {
	case s.queue <- inv:
	case b := <-s.initErr:
		return Result{Payload: b, Failed: true}, ErrInitFailed
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

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		s.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		b, _ := io.ReadAll(r.Body)
		select {
		case s.initErr <- b:
		default:
		}
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
	s.mu.Lock()
	s.pending[inv.id] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", FunctionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
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
	res := Result{Payload: b, Failed: failed}
	if failed {
		res.ErrorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
		if res.ErrorType == "" {
			res.ErrorType = r.Trailer.Get("Lambda-Runtime-Function-Error-Type")
		}
	}
	inv.done <- res
	w.WriteHeader(http.StatusAccepted)
}
