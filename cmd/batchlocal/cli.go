package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// errInterrupted is returned when the context was cancelled (Ctrl-C):
// the command stopped its function and returned.
var errInterrupted = errors.New("interrupted")

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

const topUsage = `batchlocal runs an AWS Lambda function locally, as Lambda runs it: behind a
Lambda Runtime API, fed by an event source mapping with Lambda's rules.

Usage:
  batchlocal invoke FUNCTION [EVENT]   invoke once; print the response and what Lambda does with it
  batchlocal run FUNCTION [flags]      run it against a queue or stream until it is drained
  batchlocal send [flags] [N]          send N messages or records to a real queue or stream
  batchlocal run --template FILE       run with the function, mapping and queue settings of a SAM template

FUNCTION is a directory holding a Go main package (built here, for this
machine) or an executable, such as a bootstrap built for this machine.

Run "batchlocal COMMAND --help" for the flags of a command.
`

// run is the whole command: main only parses the signals and maps the
// error to an exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return usagef("no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "invoke":
		return invokeCommand(ctx, rest, stdout, stderr)
	case "run":
		return runCommand(ctx, rest, stdout, stderr)
	case "send":
		return sendCommand(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	fmt.Fprint(stderr, topUsage)
	return usagef("unknown command %q", cmd)
}

// newFlags returns a flag set for a command, with a --help that prints
// usage and the flags to stdout.
func newFlags(name, usage string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard) // errors are returned, help is printed below
	fs.Usage = func() {
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nFlags:")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses args; it returns errHelp after printing the help.
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fs.Usage()
			return errHelp
		}
		return usagef("%s: %v (see batchlocal %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// errHelp ends a command after its help was printed; run returns nil.
var errHelp = errors.New("help printed")

// functionFlags configure the function, as its Lambda configuration does.
type functionFlags struct {
	timeout time.Duration
	memory  int
	name    string
	env     []string
	region  string
	log     string
	handler string
	tmplEnv []string // KEY=VALUE from a template; --env replaces a key
}

func (f *functionFlags) register(fs *pflag.FlagSet, defaultLog string) {
	fs.DurationVar(&f.timeout, "timeout", 3*time.Second, "the function timeout (Lambda's default is 3s); a timed-out invocation fails and the process is started again")
	fs.IntVar(&f.memory, "memory", 128, "the memory setting in MB, passed as AWS_LAMBDA_FUNCTION_MEMORY_SIZE (not enforced; the peak is reported)")
	fs.StringVar(&f.name, "name", "", "the function's name (default: the directory's or the executable's name)")
	fs.StringArrayVarP(&f.env, "env", "e", nil, "an environment variable of the function, KEY=VALUE, or KEY to pass this shell's value (repeatable)")
	fs.StringVar(&f.region, "region", "", "the AWS region (default: $AWS_REGION, else us-east-1)")
	fs.StringVar(&f.log, "function-log", defaultLog, "where the function's output and Lambda's START/END/REPORT lines go: a file, - for stderr, or none")
	fs.StringVar(&f.handler, "handler", "bootstrap", "the handler setting, passed as _HANDLER")
}

// environment expands the --env flags: KEY alone takes this process's
// value. They come after a template's variables, which they replace.
func (f *functionFlags) environment() ([]string, error) {
	flagKeys := map[string]bool{}
	for _, e := range f.env {
		k, _, _ := strings.Cut(e, "=")
		flagKeys[k] = true
	}
	var out []string
	for _, e := range f.tmplEnv {
		if k, _, _ := strings.Cut(e, "="); !flagKeys[k] {
			out = append(out, e)
		}
	}
	for _, e := range f.env {
		if strings.Contains(e, "=") {
			out = append(out, e)
			continue
		}
		v, ok := os.LookupEnv(e)
		if !ok {
			return nil, usagef("--env %s: not set in this shell; give KEY=VALUE", e)
		}
		out = append(out, e+"="+v)
	}
	return out, nil
}

func (f *functionFlags) regionOr() string {
	if f.region != "" {
		return f.region
	}
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	if r := os.Getenv("AWS_DEFAULT_REGION"); r != "" {
		return r
	}
	return "us-east-1"
}

// share is a flag value for a share of records: "2%", "0.02".
type share float64

func (s *share) String() string { return strconv.FormatFloat(float64(*s)*100, 'g', -1, 64) + "%" }
func (s *share) Type() string   { return "share" }
func (s *share) Set(v string) error {
	pct := strings.HasSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil {
		return fmt.Errorf("%q is not a share such as 2%% or 0.02", v)
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return fmt.Errorf("%q is not between 0 and 100%%", v)
	}
	*s = share(f)
	return nil
}
