package loadgen

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// ReadProcessUsage reads the CPU time and resident set of process pid from
// /proc.
func ReadProcessUsage(pid int) (ProcessUsage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("server process %d: %w", pid, err)
	}
	cpu, err := parseProcStat(string(stat))
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("server process %d: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("server process %d: %w", pid, err)
	}
	peak, rss, err := parseProcStatus(string(status))
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("server process %d: %w", pid, err)
	}
	return ProcessUsage{CPU: cpu, PeakRSS: peak, RSS: rss}, nil
}

// SelfCPU is the CPU time (user plus system, all threads) this process has
// used so far.
func SelfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// MachineBusy is the CPU time all processes on the machine have used since
// boot, from /proc/stat: the difference over a phase, less what the server
// and the client used, is what others took from the benchmark.
func MachineBusy() (time.Duration, error) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("machine cpu: %w", err)
	}
	return parseMachineBusy(string(stat))
}
