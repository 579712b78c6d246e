//go:build !linux

package loadgen

import (
	"errors"
	"time"
)

// errNoProc is returned where there is no Linux /proc or getrusage.
var errNoProc = errors.New("process usage is only measured on Linux")

// ReadProcessUsage reads the CPU time and resident set of process pid from
// /proc, which exists only on Linux.
func ReadProcessUsage(pid int) (ProcessUsage, error) { return ProcessUsage{}, errNoProc }

// SelfCPU is the CPU time this process has used so far; Linux only.
func SelfCPU() (time.Duration, error) { return 0, errNoProc }

// MachineBusy is the CPU time all processes have used; Linux only.
func MachineBusy() (time.Duration, error) { return 0, errNoProc }
