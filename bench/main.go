// Command bench is the Go side of the comparison with Powertools for AWS
// Lambda (TypeScript) that scripts/bench-vs-powertools.sh runs:
//
//	bench gen -dir DIR [-records 1000,10000] [-sources sqs,kinesis,dynamodb] [-seed 1]
//	bench run -dir DIR -source sqs -records 1000 [-variant raw] [-round N] [-warmup 10] [-iterations 50] [-cpuprofile FILE]
//	bench report RESULTS.jsonl
//	bench breakdown PROFILE...
//
// gen writes the events, seeded, with the response each one expects; run
// times one round of the Go side on one event and prints one JSON line;
// report reads the lines of both sides and prints Markdown tables;
// breakdown reads CPU profiles that run -cpuprofile wrote and prints where
// the time went (event decoding, payload decoding, GC, the engine, …).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: bench gen|run|report|breakdown [flags]")
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("bench "+cmd, flag.ContinueOnError)
	switch cmd {
	case "gen":
		dir := fs.String("dir", "", "directory to write the events into")
		records := fs.String("records", "1000,10000", "event sizes, comma-separated")
		srcs := fs.String("sources", strings.Join(sources, ","), "sources, comma-separated")
		seed := fs.Int64("seed", 1, "seed of the generator")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *dir == "" {
			return errors.New("gen: -dir is required")
		}
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			return err
		}
		sizes, err := ints(*records)
		if err != nil {
			return err
		}
		for _, s := range strings.Split(*srcs, ",") {
			for _, n := range sizes {
				if err := generate(*dir, s, n, *seed); err != nil {
					return err
				}
			}
		}
		return nil
	case "run":
		var c roundConfig
		fs.StringVar(&c.dir, "dir", "", "directory of the events")
		fs.StringVar(&c.source, "source", "sqs", "sqs, kinesis or dynamodb")
		fs.StringVar(&c.variant, "variant", "", `"raw" for a Go function that does not decode payloads (the floor of the Go side)`)
		fs.IntVar(&c.records, "records", 1000, "records of the event")
		fs.IntVar(&c.round, "round", 1, "number of the round, for the report")
		fs.IntVar(&c.warmup, "warmup", 10, "untimed iterations first (the first one checks the response)")
		fs.IntVar(&c.iterations, "iterations", 50, "timed iterations")
		fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed iterations to this file")
		fs.StringVar(&c.memProfile, "memprofile", "", "write a profile of every allocation of the timed iterations to this file (slows them down)")
		fs.BoolVar(&c.deadlineOff, "no-deadline", false, "invoke without a deadline in the context")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if c.dir == "" {
			return errors.New("run: -dir is required")
		}
		if c.iterations < 1 {
			return errors.New("run: -iterations must be at least 1")
		}
		res, err := runRound(c)
		if err != nil {
			return err
		}
		_, err = stdout.Write(res.line())
		return err
	case "report":
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: bench report RESULTS.jsonl")
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		results, err := readResults(f)
		if err != nil {
			return err
		}
		return writeReport(stdout, results)
	case "breakdown":
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return errors.New("usage: bench breakdown PROFILE [PROFILE]")
		}
		return writeBreakdown(stdout, fs.Args())
	}
	return fmt.Errorf("unknown command %q (want gen, run, report or breakdown)", cmd)
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < failEvery {
			return nil, fmt.Errorf("bad size %q: want a number of records, at least %d", f, failEvery)
		}
		out = append(out, n)
	}
	return out, nil
}
