package runtimeapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch/internal/runtimeapi"
)

// runtime plays the function side of one invocation, as aws-lambda-go does:
// poll for the next invocation, then post to …/response or …/error.
func runtime(t *testing.T, addr, verb string, body []byte) (headers http.Header, payload []byte) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	payload, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got status %d for next, want 200", resp.StatusCode)
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/2018-06-01/runtime/invocation/"+id+"/"+verb, bytes.NewReader(body))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Boom")
	post, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return resp.Header, payload
	}
	post.Body.Close()
	if post.StatusCode != http.StatusAccepted {
		t.Errorf("got status %d for %s, want 202", post.StatusCode, verb)
	}
	return resp.Header, payload
}

func TestServerHandsOutInvocationsAndCollectsAnswers(t *testing.T) {
	tests := []struct {
		name string
		verb string
		want runtimeapi.Result
	}{
		{"response", "response", runtimeapi.Result{Payload: []byte(`{"ok":true}`)}},
		{"error", "error", runtimeapi.Result{Payload: []byte(`{"errorMessage":"x"}`), Failed: true, ErrorType: "Boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := runtimeapi.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			type seen struct {
				h       http.Header
				payload []byte
			}
			ch := make(chan seen, 1)
			go func() {
				h, p := runtime(t, s.Addr(), tt.verb, tt.want.Payload)
				ch <- seen{h, p}
			}()
			before := time.Now()
			got, err := s.Invoke(context.Background(), []byte(`{"Records":[]}`), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Payload, tt.want.Payload) || got.Failed != tt.want.Failed || got.ErrorType != tt.want.ErrorType {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			sn := <-ch
			if string(sn.payload) != `{"Records":[]}` {
				t.Errorf("got payload %s, want the invocation's", sn.payload)
			}
			if sn.h.Get("Lambda-Runtime-Aws-Request-Id") == "" {
				t.Errorf("got no request id header, want one")
			}
			ms, err := strconv.ParseInt(sn.h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
			if err != nil || time.UnixMilli(ms).Before(before.Add(59*time.Second)) {
				t.Errorf("got deadline header %q, want about a minute from now", sn.h.Get("Lambda-Runtime-Deadline-Ms"))
			}
			select {
			case <-s.Polled():
			default:
				t.Errorf("got Polled still open, want it closed after the first poll")
			}
		})
	}
}

func TestServerRejectsUnknownRequestIDs(t *testing.T) {
	s, err := runtimeapi.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Post("http://"+s.Addr()+"/2018-06-01/runtime/invocation/nope/response", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("got status %d, want 400", resp.StatusCode)
	}
}

func TestInvokeReportsInitErrors(t *testing.T) {
	s, err := runtimeapi.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Post("http://"+s.Addr()+"/2018-06-01/runtime/init/error", "application/json", bytes.NewReader([]byte(`{"errorMessage":"bad config"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, err := s.Invoke(context.Background(), nil, time.Minute)
	if err != runtimeapi.ErrInitFailed || string(got.Payload) != `{"errorMessage":"bad config"}` {
		t.Errorf("got %q, %v; want the init error document, ErrInitFailed", got.Payload, err)
	}
}

func TestInvokeStopsWithTheContext(t *testing.T) {
	s, err := runtimeapi.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Invoke(ctx, nil, time.Minute); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
