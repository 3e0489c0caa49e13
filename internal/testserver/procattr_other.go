//go:build !linux

package testserver

import "syscall"

// dieWithParent has no portable equivalent outside Linux: the server is
// stopped by the function Start returns.
func dieWithParent() *syscall.SysProcAttr { return nil }
