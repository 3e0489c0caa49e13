package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// templateFlags are the flags of run and invoke that read a SAM
// template.
type templateFlags struct {
	path, function, event string
}

func (tf *templateFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&tf.path, "template", "", "read the function and its event source from a SAM template (FUNCTION is then optional): timeout, memory, environment, batch size, window, ReportBatchItemFailures, the queue's visibility timeout and maxReceiveCount, a stream's retries, record age, bisection and on-failure destination; flags given override it")
	fs.StringVar(&tf.function, "function", "", "with --template: the logical id of the function, when the template has several")
	fs.StringVar(&tf.event, "event-source", "", "with --template: the name of the event under the function's Events, when it has several batch event sources")
}

func (tf *templateFlags) check() error {
	if tf.path == "" && (tf.function != "" || tf.event != "") {
		return usagef("--function and --event-source pick from a template: give --template too")
	}
	return nil
}

// templateReport says what a command took from a template: every
// setting, with where its value came from. run and invoke print it, and
// include it in their --json output.
type templateReport struct {
	Path      string          `json:"path"`
	Function  string          `json:"function"`            // the function's logical id
	Event     string          `json:"event,omitempty"`     // the event's name under Events
	EventType string          `json:"eventType,omitempty"` // SQS, Kinesis, DynamoDB, MSK, SelfManagedKafka
	Settings  []settingOrigin `json:"settings"`
	// SkippedEnvironment lists the environment variables whose value is
	// not a literal (a !Ref to a resource, say), with why; the function
	// runs without them unless --env gives them.
	SkippedEnvironment []string `json:"skippedEnvironment,omitempty"`
	// NotApplied lists settings of the template that the runner reads
	// but does not model.
	NotApplied []string `json:"notApplied,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// settingOrigin is one setting of a command and where its value came
// from.
type settingOrigin struct {
	Setting string `json:"setting"` // the template's name for it, such as BatchSize
	Flag    string `json:"flag"`    // the flag that overrides it
	Value   string `json:"value"`
	// From is "template", "flag" or "default" (the runner's, which is
	// Lambda's or the queue's own default); "queue" for a real queue's
	// attributes, which apply whatever the template says.
	From     string `json:"from"`
	Property string `json:"property,omitempty"` // the template property, when From is template
}

const (
	fromTemplate = "template"
	fromFlag     = "flag"
	fromDefault  = "default"
	fromQueue    = "queue"
)

// applier applies a template's settings to a command's options, except
// those a flag sets, and records where each value came from.
type applier struct {
	fs  *pflag.FlagSet
	rep *templateReport
}

// apply sets *dst from s unless the flag was given, and records the
// setting; a value the template holds but the runner cannot read is an
// error, unless the flag replaces it.
func apply[T any](a *applier, flag, name string, s setting[T], dst *T, show func(T) string) error {
	o := settingOrigin{Setting: name, Flag: "--" + flag}
	switch {
	case a.fs.Changed(flag):
		o.From = fromFlag
	case s.err != nil:
		return fmt.Errorf("%w; or give --%s", s.err, flag)
	case s.set():
		*dst, o.From, o.Property = s.value, fromTemplate, s.where
	default:
		o.From = fromDefault
	}
	o.Value = show(*dst)
	a.rep.Settings = append(a.rep.Settings, o)
	return nil
}

// applyName is apply for a name the template may give (a queue's
// QueueName): recorded only when the template or a flag sets it.
func applyName(a *applier, flag, name string, s setting[string], dst *string) {
	if s.set() || a.fs.Changed(flag) {
		_ = apply(a, flag, name, s, dst, showString)
	}
}

func showString(s string) string { return s }
func showBool(b bool) string     { return strconv.FormatBool(b) }
func showSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// function applies the function's settings, and returns the FUNCTION to
// run: arg when it is given, else the template's Go main package.
func (a *applier) function(f *functionSettings, ff *functionFlags, arg string) (string, error) {
	path := arg
	if arg != "" {
		a.rep.Settings = append(a.rep.Settings, settingOrigin{Setting: "CodeUri", Flag: "FUNCTION", Value: arg, From: fromFlag})
	} else {
		if f.dir.err != nil {
			return "", f.dir.err
		}
		path = f.dir.value
		a.rep.Settings = append(a.rep.Settings, settingOrigin{Setting: "CodeUri", Flag: "FUNCTION", Value: path, From: fromTemplate, Property: f.dir.where})
		if goarch := map[string]string{"arm64": "arm64", "x86_64": "amd64"}[f.arch]; goarch != "" && goarch != runtime.GOARCH {
			a.rep.NotApplied = append(a.rep.NotApplied, fmt.Sprintf("Architectures %s: the function is built for this machine (%s/%s)", f.arch, runtime.GOOS, runtime.GOARCH))
		}
	}
	if err := apply(a, "timeout", "Timeout", f.timeout, &ff.timeout, showSeconds); err != nil {
		return "", err
	}
	if err := apply(a, "memory", "MemorySize", f.memory, &ff.memory, strconv.Itoa); err != nil {
		return "", err
	}
	applyName(a, "handler", "Handler", f.handler, &ff.handler)
	applyName(a, "name", "FunctionName", f.name, &ff.name)

	fromFlags := map[string]string{} // key -> the value --env gives
	for _, e := range ff.env {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			v = "(this shell's value)"
		}
		fromFlags[k] = v
	}
	for _, v := range f.env {
		o := settingOrigin{Setting: "Environment.Variables." + v.key, Flag: "--env", Value: v.value, From: fromTemplate, Property: v.where}
		if fv, ok := fromFlags[v.key]; ok {
			o.From, o.Value, o.Property = fromFlag, fv, ""
		} else {
			ff.tmplEnv = append(ff.tmplEnv, v.key+"="+v.value)
		}
		a.rep.Settings = append(a.rep.Settings, o)
	}
	a.rep.SkippedEnvironment = f.skipped
	return path, nil
}

// noReport applies FunctionResponseTypes: without ReportBatchItemFailures
// Lambda ignores the response, which the runner models
// (--no-report-batch-item-failures); it says so in a warning.
func (a *applier) noReport(e *eventSettings, dst *bool) error {
	const flag = "no-report-batch-item-failures"
	s := setting[bool]{value: !e.report.value, where: e.report.where, err: e.report.err}
	err := apply(a, flag, "FunctionResponseTypes", s, dst, func(no bool) string {
		if no {
			return "without ReportBatchItemFailures"
		}
		return "ReportBatchItemFailures"
	})
	if err == nil && *dst && !a.fs.Changed(flag) {
		a.rep.Warnings = append(a.rep.Warnings, fmt.Sprintf("the event %s has no ReportBatchItemFailures in its FunctionResponseTypes: "+
			"Lambda ignores the function's partial batch response, and the records it reports are lost unless the whole invocation fails; "+
			"the runner does the same (--%s=false runs it as if it were on)", e.name, flag))
	}
	return err
}

// source checks that --source, when given, is the event's own.
func (a *applier) source(e *eventSettings, dst *string) error {
	if a.fs.Changed("source") && *dst != e.source {
		return usagef("--source %s: the template's event %s is of type %s, which runs as --source %s (give --event-source to pick another event)", *dst, e.name, e.typ, e.source)
	}
	*dst = e.source
	a.rep.Settings = append(a.rep.Settings, settingOrigin{Setting: "Type", Flag: "--source", Value: e.typ, From: fromTemplate,
		Property: strings.TrimSuffix(e.where, ".Properties") + ".Type"})
	return nil
}

// applyTemplate reads --template and applies it to the run's options;
// it returns the FUNCTION to run and the report of the settings.
func (o *runOptions) applyTemplate(fs *pflag.FlagSet, tf *templateFlags, arg string) (string, *templateReport, error) {
	f, e, err := loadTemplate(tf.path, tf.function, tf.event)
	if err != nil {
		return "", nil, err
	}
	rep := &templateReport{Path: tf.path, Function: f.id, Event: e.name, EventType: e.typ, NotApplied: e.notApplied, Notes: e.notes}
	a := &applier{fs: fs, rep: rep}
	path, err := a.function(f, &o.fn, arg)
	if err != nil {
		return "", nil, err
	}
	if err := a.source(e, &o.source); err != nil {
		return "", nil, err
	}
	if !fs.Changed("batch-size") {
		o.batchSize = 100
		if o.source == srcSQS {
			o.batchSize = 10
		}
	}
	errs := []error{
		apply(a, "batch-size", "BatchSize", e.batchSize, &o.batchSize, strconv.Itoa),
		apply(a, "batch-window", "MaximumBatchingWindowInSeconds", e.window, &o.window, showSeconds),
		a.noReport(e, &o.noReport),
	}
	o.batchSizeSet = true
	switch e.source {
	case srcSQS:
		applyName(a, "queue", "QueueName", e.resource, &o.queue)
		errs = append(errs,
			apply(a, "fifo", "FifoQueue", e.fifo, &o.fifo, showBool),
			apply(a, "visibility-timeout", "VisibilityTimeout", e.visibility, &o.visibility, showSeconds),
			apply(a, "max-receive-count", "maxReceiveCount", e.maxReceive, &o.maxReceive, strconv.Itoa),
			apply(a, "retention", "MessageRetentionPeriod", e.retention, &o.retention, showSeconds))
	default:
		switch e.source {
		case srcKinesis:
			applyName(a, "stream", "Name", e.resource, &o.stream)
			errs = append(errs, apply(a, "shards", "ShardCount", e.shards, &o.shards, strconv.Itoa))
		case srcDynamoDB:
			applyName(a, "table", "TableName", e.resource, &o.table)
		case srcKafka:
			applyName(a, "topic", "Topics", e.resource, &o.topic)
		}
		errs = append(errs,
			apply(a, "max-retry-attempts", "MaximumRetryAttempts", e.maxRetry, &o.maxRetry, strconv.Itoa),
			apply(a, "max-record-age", "MaximumRecordAgeInSeconds", e.maxAge, &o.maxAge, showSeconds),
			apply(a, "bisect", "BisectBatchOnFunctionError", e.bisect, &o.bisect, showBool),
			apply(a, "on-failure", "DestinationConfig.OnFailure", e.onFailure, &o.onFailure, showString))
		if e.notSQS != "" && e.onFailure.set() && !fs.Changed("on-failure") {
			if o.endpoint != "" {
				return "", nil, usagef("the template's on-failure destination is %s: on a real stream the runner sends failure records to an SQS queue only; give --on-failure QUEUE", e.notSQS)
			}
			rep.Notes = append(rep.Notes, fmt.Sprintf("the on-failure destination %s is %s: the run records what Lambda would send it", e.onFailure.value, e.notSQS))
		}
	}
	for _, err := range errs {
		if err != nil {
			return "", nil, err
		}
	}
	return path, rep, nil
}

// fromRealQueue records the settings a real queue imposes: its own
// FIFO attribute, visibility timeout, redrive policy and retention
// apply, whatever the template says (--create creates it with the
// template's visibility timeout and maxReceiveCount).
func (r *templateReport) fromRealQueue(o *runOptions) {
	actual := map[string]string{
		"FifoQueue":              showBool(o.fifo),
		"VisibilityTimeout":      showSeconds(o.visibility),
		"maxReceiveCount":        strconv.Itoa(o.maxReceive),
		"MessageRetentionPeriod": "(the queue's own)",
	}
	for i, s := range r.Settings {
		if v, ok := actual[s.Setting]; ok {
			r.Settings[i] = settingOrigin{Setting: s.Setting, Flag: s.Flag, Value: v, From: fromQueue, Property: o.queue + " at " + o.endpoint}
		}
	}
}

// applyInvokeTemplate reads --template for invoke: the function's
// settings and, when the function has one batch event source (or
// --event-source names one), its source and FunctionResponseTypes.
func (o *invokeOptions) applyTemplate(fs *pflag.FlagSet, tf *templateFlags, arg string) (string, *templateReport, error) {
	f, e, err := loadTemplate(tf.path, tf.function, tf.event)
	if f == nil || err != nil && tf.event != "" {
		return "", nil, err
	}
	rep := &templateReport{Path: tf.path, Function: f.id}
	a := &applier{fs: fs, rep: rep}
	path, aerr := a.function(f, &o.fn, arg)
	if aerr != nil {
		return "", nil, aerr
	}
	if err != nil {
		rep.Notes = append(rep.Notes, "no event source read: "+strings.TrimPrefix(err.Error(), tf.path+": "))
		return path, rep, nil
	}
	rep.Event, rep.EventType, rep.NotApplied, rep.Notes = e.name, e.typ, e.notApplied, e.notes
	if err := a.source(e, &o.source); err != nil {
		return "", nil, err
	}
	if e.source == srcSQS {
		if err := apply(a, "fifo", "FifoQueue", e.fifo, &o.fifo, showBool); err != nil {
			return "", nil, err
		}
	}
	if err := a.noReport(e, &o.noReport); err != nil {
		return "", nil, err
	}
	return path, rep, nil
}

// isEventFile tells an EVENT from a FUNCTION when invoke --template gets
// one argument: standard input, or a file that is not executable.
func isEventFile(arg string) bool {
	if arg == "-" {
		return true
	}
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 == 0
}

// printTemplate prints where the settings came from.
func printTemplate(w io.Writer, r *templateReport) {
	fmt.Fprintf(w, "settings from %s: function %s", r.Path, r.Function)
	if r.Event != "" {
		fmt.Fprintf(w, ", event %s (%s)", r.Event, r.EventType)
	}
	fmt.Fprintln(w)
	value := func(s settingOrigin) string {
		if s.Value == "" {
			return `""`
		}
		return excerpt(s.Value, 60)
	}
	width, vwidth := 0, 0
	for _, s := range r.Settings {
		width = max(width, len(s.Setting))
		vwidth = max(vwidth, len([]rune(value(s))))
	}
	for _, s := range r.Settings {
		v := value(s)
		line := fmt.Sprintf("  %-*s  %s%s  %-8s", width, s.Setting, v, strings.Repeat(" ", vwidth-len([]rune(v))), s.From)
		switch s.From {
		case fromTemplate:
			line += " " + s.Property
		case fromFlag:
			line += " " + s.Flag
		case fromQueue:
			line += " the real queue's, " + s.Property
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	for _, s := range r.SkippedEnvironment {
		fmt.Fprintf(w, "  skipped environment variable %s\n", s)
	}
	for _, s := range r.NotApplied {
		fmt.Fprintf(w, "  not applied: %s\n", s)
	}
	for _, s := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", s)
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", s)
	}
}
