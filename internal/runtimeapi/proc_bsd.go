//go:build unix && !linux

package runtimeapi

import "syscall"

// sysProcAttr puts the function in a process group of its own, so that a
// timeout kills what it started too.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// peakMemory returns 0: the peak memory of a running process is read on
// Linux only.
func peakMemory(int) int64 { return 0 }
