// Package testserver starts the local stand-ins for AWS services that the
// integration tests of the repository's modules run against (moto,
// DynamoDB Local, kinesalite) when scripts/test.sh has not started them:
// a process bound to loopback, waited for until it answers, killed with
// the test binary, and stopped by the function Start returns.
package testserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts cmd and calls ready every 100 ms until it returns nil, the
// process exits, or timeout passes. The process dies with the test binary
// where the system allows it (Linux); stop kills it and waits for it.
func Start(cmd *exec.Cmd, ready func(context.Context) error, timeout time.Duration) (stop func(), err error) {
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if ready(ctx) == nil {
			return stop, nil
		}
		select {
		case err := <-exited:
			exited <- err
			stop()
			return nil, fmt.Errorf("%s exited: %v", cmd.Path, err)
		case <-ctx.Done():
			stop()
			return nil, fmt.Errorf("%s did not answer within %v", cmd.Path, timeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Answers returns a readiness check that succeeds once url answers an
// HTTP GET, whatever its status.
func Answers(url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		http.DefaultClient.CloseIdleConnections()
		return nil
	}
}

// Moto starts moto_server (or, without it, python3 -m moto.server) on a
// free loopback port and returns its endpoint once it answers.
func Moto() (endpoint string, stop func(), err error) {
	port, err := FreePort()
	if err != nil {
		return "", nil, err
	}
	args := []string{"-H", "127.0.0.1", "-p", strconv.Itoa(port)}
	var cmd *exec.Cmd
	if bin, err := exec.LookPath("moto_server"); err == nil {
		cmd = exec.Command(bin, args...)
	} else if exec.Command("python3", "-c", "import moto.server").Run() == nil {
		cmd = exec.Command("python3", append([]string{"-m", "moto.server"}, args...)...)
	} else {
		return "", nil, errors.New("neither moto_server nor python3 -m moto.server is installed")
	}
	endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
	stop, err = Start(cmd, Answers(endpoint+"/moto-api/"), 30*time.Second)
	if err != nil {
		return "", nil, err
	}
	return endpoint, stop, nil
}
