package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// categories are where the Go side's CPU time goes, in the order a sample
// is tested against them: a sample belongs to the first whose pattern
// matches a frame of its stack. Garbage collection comes first, wherever
// it runs (its own workers, or assists inside allocations); allocation
// itself counts where it is made.
var categories = []struct {
	name string
	re   *regexp.Regexp
}{
	{"GC", regexp.MustCompile(`^runtime\.(gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge|gcStart|markroot|gcMarkDone|gcMarkTermination|sweepone|deductSweepCredit|gcDrain|scanobject|stopTheWorld)`)},
	{"handler", regexp.MustCompile(`^(main\.handleOrder|fmt\.Errorf)`)},
	{"payload decoding", regexp.MustCompile(`^(github\.com/seed-45ee126e/batch\.decodeJSON|github\.com/seed-45ee126e/batch/dynamodbav\.|github\.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue\.)`)},
	{"event decoding", regexp.MustCompile(`^github\.com/seed-45ee126e/batch/internal/eventjson\.(SQSLenient|KinesisLenient|DynamoDBLenient|Kafka|recordsOfMode)`)},
	{"response", regexp.MustCompile(`^github\.com/seed-45ee126e/batch/internal/eventjson\.Append`)},
	{"engine", regexp.MustCompile(`^(github\.com/seed-45ee126e/batch\.|main\.runRound)`)},
}

const otherCategory = "runtime, other"

// breakdown reads a CPU profile with go tool pprof -traces and returns the
// time of each category, in milliseconds, and the total.
func breakdown(profile string) (map[string]float64, float64, error) {
	out, err := exec.Command("go", "tool", "pprof", "-traces", profile).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("go tool pprof -traces %s: %w", profile, err)
	}
	return classify(bytes.NewReader(out))
}

var sampleLine = regexp.MustCompile(`^\s*([0-9.]+)(s|ms|us|ns)\s+(\S.*)$`)

// classify reads the output of go tool pprof -traces: stacks separated by
// lines of dashes, each starting with the sample's time and its leaf.
func classify(r io.Reader) (map[string]float64, float64, error) {
	times := map[string]float64{}
	total := 0.0
	var (
		ms     float64
		frames []string
	)
	flush := func() {
		if frames == nil {
			return
		}
		cat := otherCategory
	find:
		for _, c := range categories {
			for _, f := range frames {
				if c.re.MatchString(f) {
					cat = c.name
					break find
				}
			}
		}
		times[cat] += ms
		total += ms
		frames = nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----") {
			flush()
			continue
		}
		if m := sampleLine.FindStringSubmatch(line); m != nil {
			flush()
			v, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return nil, 0, err
			}
			ms = v * map[string]float64{"s": 1e3, "ms": 1, "us": 1e-3, "ns": 1e-6}[m[2]]
			frames = []string{m[3]}
			continue
		}
		if frames != nil {
			if f := strings.TrimSpace(line); f != "" {
				frames = append(frames, f)
			}
		}
	}
	flush()
	return times, total, sc.Err()
}

// writeBreakdown writes one Markdown row per profile: the share of each
// category in its CPU time.
func writeBreakdown(w io.Writer, profiles []string) error {
	fmt.Fprint(w, "| profile | CPU samples |")
	for _, c := range categories {
		fmt.Fprintf(w, " %s |", c.name)
	}
	fmt.Fprintf(w, " %s |\n|---|---:|", otherCategory)
	for range categories {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w, "---:|")
	for _, p := range profiles {
		times, total, err := breakdown(p)
		if err != nil {
			return err
		}
		if total == 0 {
			return fmt.Errorf("%s: no samples", p)
		}
		fmt.Fprintf(w, "| %s | %.2f s |", p, total/1e3)
		for _, c := range categories {
			fmt.Fprintf(w, " %.0f %% |", 100*times[c.name]/total)
		}
		fmt.Fprintf(w, " %.0f %% |\n", 100*times[otherCategory]/total)
	}
	return nil
}
