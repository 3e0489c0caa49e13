//go:build !linux

package main

import "syscall"

// dieWithParent returns nil: the servers are stopped by TestMain.
func dieWithParent() *syscall.SysProcAttr { return nil }
