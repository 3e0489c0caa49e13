//go:build !unix

package batch_test

import "time"

// processCPU is not available on this system.
func processCPU() time.Duration { return 0 }
