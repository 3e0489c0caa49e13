//go:build !unix

package runtimeapi

import (
	"os/exec"
	"syscall"
)

// sysProcAttr returns nil: process groups are a Unix feature.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup kills the function's process; processes it started live on.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// peakMemory returns 0: the peak memory of a running process is read on
// Linux only.
func peakMemory(int) int64 { return 0 }
