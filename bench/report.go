package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// readResults reads the JSON lines the rounds of both sides wrote.
func readResults(r io.Reader) ([]result, error) {
	var out []result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var res result
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// cell is the results of one source and size.
type cell struct {
	source  string
	records int
	bytes   int
	goRuns  []result
	ptRuns  []result
	rawRuns []result // Go without payload decoding
}

// writeReport writes the Markdown tables of the results: per source and
// size, medians over the rounds of each side, the ratio of the medians
// (Go over Powertools: below 1 is Go faster, 0.5 is twice as fast), the
// median and the range of the ratios of rounds run side by side.
func writeReport(w io.Writer, results []result) error {
	cells := map[string]*cell{}
	var keys []string
	for _, r := range results {
		k := fmt.Sprintf("%s/%d", r.Source, r.Records)
		c := cells[k]
		if c == nil {
			c = &cell{source: r.Source, records: r.Records, bytes: r.EventBytes}
			cells[k] = c
			keys = append(keys, k)
		}
		switch {
		case r.Side == "go" && r.Variant == "raw":
			c.rawRuns = append(c.rawRuns, r)
		case r.Side == "go" && r.Variant == "":
			c.goRuns = append(c.goRuns, r)
		case r.Side == "powertools":
			c.ptRuns = append(c.ptRuns, r)
		default:
			return fmt.Errorf("result of unknown side %q, variant %q", r.Side, r.Variant)
		}
	}
	order := map[string]int{"sqs": 0, "kinesis": 1, "dynamodb": 2}
	sort.Slice(keys, func(i, j int) bool {
		a, b := cells[keys[i]], cells[keys[j]]
		if a.source != b.source {
			return order[a.source] < order[b.source]
		}
		return a.records < b.records
	})

	fmt.Fprintln(w, "| source | records | event | Go ms/event | Powertools ms/event | Go / Powertools (medians) | per-round ratios: median (range) | CPU time: Go / Powertools | Go MB/s | Powertools MB/s | Go records/s | Powertools records/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range keys {
		c := cells[k]
		gw, pw := median(c.goRuns, wallOf), median(c.ptRuns, wallOf)
		gc, pc := median(c.goRuns, cpuOf), median(c.ptRuns, cpuOf)
		ratios := roundRatios(c)
		mb := float64(c.bytes) / 1e6
		fmt.Fprintf(w, "| %s | %s | %.1f MB | %.2f | %.2f | **%.2f** | %s | %.2f | %.0f | %.0f | %s | %s |\n",
			name(c.source), thousands(float64(c.records)), mb,
			gw/1e6, pw/1e6, gw/pw, ratioSummary(ratios), gc/pc,
			mb/(gw/1e9), mb/(pw/1e9),
			thousands(float64(c.records)/(gw/1e9)), thousands(float64(c.records)/(pw/1e9)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| source | records | Go allocs/record | Go B/record | Go GCs/event | Powertools GCs/event | Powertools GC pause ms/event | Go max RSS | Powertools max RSS | rounds |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range keys {
		c := cells[k]
		fmt.Fprintf(w, "| %s | %s | %.1f | %s | %.2f | %.2f | %.2f | %.0f MB | %.0f MB | %d + %d |\n",
			name(c.source), thousands(float64(c.records)),
			median(c.goRuns, func(r result) float64 { return r.AllocsPerRecord }),
			thousands(median(c.goRuns, func(r result) float64 { return r.BytesPerRecord })),
			median(c.goRuns, func(r result) float64 { return r.GCPerEvent }),
			median(c.ptRuns, func(r result) float64 { return r.GCPerEvent }),
			median(c.ptRuns, func(r result) float64 { return r.GCNsPerEvent })/1e6,
			median(c.goRuns, rssOf)/1e6, median(c.ptRuns, rssOf)/1e6,
			len(c.goRuns), len(c.ptRuns))
	}
	raw := false
	for _, k := range keys {
		raw = raw || len(cells[k].rawRuns) > 0
	}
	if !raw {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Go without payload decoding (a handler of the record type that looks for the status in the raw payload, or in the image's attribute for DynamoDB): the floor of the Go side with a payload decoder that cost nothing.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| source | records | Go ms/event, no payload decoding | / Powertools | CPU time / Powertools | payload decoding's share of Go's time |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, k := range keys {
		c := cells[k]
		if len(c.rawRuns) == 0 {
			continue
		}
		rw, gw, pw := median(c.rawRuns, wallOf), median(c.goRuns, wallOf), median(c.ptRuns, wallOf)
		fmt.Fprintf(w, "| %s | %s | %.2f | %.2f | %.2f | %.0f %% |\n",
			name(c.source), thousands(float64(c.records)), rw/1e6, rw/pw,
			median(c.rawRuns, cpuOf)/median(c.ptRuns, cpuOf), 100*(1-rw/gw))
	}
	return nil
}

func wallOf(r result) float64 { return r.NsPerEvent }
func cpuOf(r result) float64  { return r.CPUNsPerEvent }
func rssOf(r result) float64  { return float64(r.MaxRSSBytes) }

// roundRatios pairs the rounds of the two sides by number and returns Go's
// wall time over Powertools' for each pair.
func roundRatios(c *cell) []float64 {
	pt := map[int]float64{}
	for _, r := range c.ptRuns {
		pt[r.Round] = r.NsPerEvent
	}
	var out []float64
	for _, r := range c.goRuns {
		if p, ok := pt[r.Round]; ok && p > 0 {
			out = append(out, r.NsPerEvent/p)
		}
	}
	return out
}

func ratioSummary(rs []float64) string {
	if len(rs) == 0 {
		return "–"
	}
	s := append([]float64(nil), rs...)
	sort.Float64s(s)
	return fmt.Sprintf("%.2f (%.2f–%.2f)", medianOf(s), s[0], s[len(s)-1])
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	return medianOf(v)
}

// medianOf returns the median of sorted values (NaN for none).
func medianOf(v []float64) float64 {
	n := len(v)
	switch {
	case n == 0:
		return nan()
	case n%2 == 1:
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func nan() float64 {
	var zero float64
	return zero / zero
}

func name(source string) string {
	switch source {
	case "sqs":
		return "SQS"
	case "kinesis":
		return "Kinesis"
	case "dynamodb":
		return "DynamoDB"
	}
	return source
}

// thousands formats v rounded to an integer with thousands separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
