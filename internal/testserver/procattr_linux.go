package testserver

import "syscall"

// dieWithParent makes the kernel kill the server if the test process dies
// without stopping it (a panic, a timeout, a signal).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
