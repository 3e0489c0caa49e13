//go:build !linux

package policy_test

import "syscall"

// dieWithParent has no portable equivalent outside Linux: TestMain's stop
// is the only way moto_server ends.
func dieWithParent() *syscall.SysProcAttr { return nil }
