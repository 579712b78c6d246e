package loadgen

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ProcessUsage is what /proc says of a process at one instant.
type ProcessUsage struct {
	// CPU is user plus system time since the process started.
	CPU time.Duration
	// PeakRSS is the resident set's high-water mark (VmHWM), in bytes.
	PeakRSS int64
	// RSS is the current resident set (VmRSS), in bytes.
	RSS int64
}

// userHZ is the unit of the times in /proc/<pid>/stat. Linux exports them
// in USER_HZ, which is 100 on every architecture Go supports, whatever the
// kernel's own tick rate.
const userHZ = 100

// parseProcStat returns utime+stime from the text of /proc/<pid>/stat. The
// command name (field 2) is in parentheses and may hold spaces or ")", so
// fields are counted from the last ")".
func parseProcStat(text string) (time.Duration, error) {
	i := strings.LastIndexByte(text, ')')
	if i < 0 {
		return 0, fmt.Errorf("proc stat: no command name in %q", text)
	}
	// After ")" come field 3 (state) onwards; utime and stime are fields 14
	// and 15, so indexes 11 and 12 here.
	f := strings.Fields(text[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want at least 13", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: cpu time %q: %w", s, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// parseProcStatus returns VmHWM and VmRSS, in bytes, from the text of
// /proc/<pid>/status ("VmHWM:	  123456 kB").
func parseProcStatus(text string) (peak, rss int64, err error) {
	found := 0
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("proc status: %s: unexpected value %q", name, value)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("proc status: %s: %w", name, err)
		}
		if name == "VmHWM" {
			peak = kb << 10
		} else {
			rss = kb << 10
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("proc status: %w", err)
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("proc status: no VmHWM and VmRSS lines (a kernel thread or a zombie?)")
	}
	return peak, rss, nil
}

// parseMachineBusy returns the busy time of all CPUs together (user, nice,
// system, irq, softirq and steal; not idle or iowait) from the text of
// /proc/stat.
func parseMachineBusy(text string) (time.Duration, error) {
	line, _, _ := strings.Cut(text, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("proc stat: first line %q is not the cpu total", line)
	}
	var ticks int64
	// user nice system idle iowait irq softirq steal: skip idle and iowait.
	for i, s := range f[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: cpu time %q: %w", s, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
