//go:build !linux

package idempotency_test

import "syscall"

// dieWithParent has no portable equivalent outside Linux: TestMain's stop
// is the only way DynamoDB Local ends.
func dieWithParent() *syscall.SysProcAttr { return nil }
