package policy_test

import "syscall"

// dieWithParent makes the kernel kill moto_server if the test process dies
// without stopping it (a panic, a timeout, a signal).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
