package main

import "syscall"

// dieWithParent makes a server the tests start die with the test binary.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
