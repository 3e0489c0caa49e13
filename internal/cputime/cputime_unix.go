//go:build unix

// Package cputime reads the CPU time the process has used, for benchmarks
// that report throughput per second of CPU rather than of wall time (a busy
// shared machine disturbs the first less).
package cputime

import (
	"syscall"
	"time"
)

// Process returns the CPU time (user and system) the process has used, all
// threads included, or 0 if it cannot be read.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
