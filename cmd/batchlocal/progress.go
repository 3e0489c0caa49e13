package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/seed-45ee126e/batch/esm"
)

// progress shows a run's progress on a terminal: records settled of the
// total, and those retried, dead-lettered and in flight. It is a no-op
// when the output is not a terminal (or --progress=never).
type progress struct {
	bar *progressbar.ProgressBar
}

// newProgress returns a progress bar on w for total records, when mode
// is "always", or "auto" and w is a terminal.
func newProgress(w io.Writer, mode string, total int) (*progress, error) {
	switch mode {
	case "never":
		return &progress{}, nil
	case "always":
	case "auto":
		f, ok := w.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return &progress{}, nil
		}
	default:
		return nil, usagef("--progress %q: want auto, always or never", mode)
	}
	if total <= 0 {
		total = -1 // a spinner: the queue's size is not known
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("starting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{bar: bar}, nil
}

// update is an esm OnProgress hook: it runs on the goroutine of the run.
func (p *progress) update(pr esm.Progress) {
	if p.bar == nil {
		return
	}
	_ = p.bar.Set(pr.Settled())
	p.bar.Describe(fmt.Sprintf("%d invocations, %d redeliveries, %d dead-lettered, %d in flight",
		pr.Invocations, pr.Redeliveries, pr.DeadLettered+pr.Expired+pr.Discarded, pr.InFlight))
}

// grow raises the total, when records are added during the run.
func (p *progress) grow(total int) {
	if p.bar != nil && total > p.bar.GetMax() {
		p.bar.ChangeMax(total)
	}
}

// done removes the bar before the summary is printed.
func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
