//go:build unix

package runtimeapi

import (
	"os/exec"
	"syscall"
)

// killGroup kills the process group that cmd leads: the function's
// process and every process it started.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
