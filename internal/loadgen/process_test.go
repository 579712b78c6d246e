package loadgen

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// Fields after the command: state ppid pgrp session tty tpgid flags
	// minflt cminflt majflt cmajflt utime stime ...
	const rest = " S 1 2 3 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 1234 5678 900"
	tests := []struct {
		name    string
		text    string
		want    time.Duration
		wantErr bool
	}{
		{name: "plain", text: "4242 (cairn)" + rest, want: 3250 * time.Millisecond},
		{name: "name with spaces and parens", text: "4242 (a ) b (c))" + rest, want: 3250 * time.Millisecond},
		{name: "no command", text: "4242 cairn S 1", wantErr: true},
		{name: "truncated", text: "4242 (cairn) S 1 2 3", wantErr: true},
		{name: "bad number", text: "4242 (cairn) S 1 2 3 0 -1 4194560 100 0 0 0 x 75", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseProcStat(tt.text)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: got %v, want an error", tt.name, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestParseProcStatus(t *testing.T) {
	const text = "Name:\tcairn\nVmPeak:\t 2000000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\nThreads:\t12\n"
	peak, rss, err := parseProcStatus(text)
	if err != nil || peak != 80<<20 || rss != 40<<20 {
		t.Errorf("parseProcStatus = %d, %d, %v; want %d, %d", peak, rss, err, 80<<20, 40<<20)
	}
	for _, bad := range []string{
		"Name:\tkthreadd\nThreads:\t1\n",      // kernel threads have no Vm lines
		"VmHWM:\t 12 MB\nVmRSS:\t 1 kB\n",     // unexpected unit
		"VmHWM:\t twelve kB\nVmRSS:\t 1 kB\n", // not a number
		"VmHWM:\t 12 kB\n",                    // VmRSS missing
	} {
		if _, _, err := parseProcStatus(bad); err == nil {
			t.Errorf("parseProcStatus(%q) succeeded", bad)
		}
	}
}

func TestReadProcessUsageSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux only")
	}
	// Burn a little CPU so that both figures are above zero.
	deadline := time.Now().Add(30 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	u, err := ReadProcessUsage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if u.PeakRSS <= 0 || u.RSS <= 0 || u.PeakRSS < u.RSS {
		t.Errorf("PeakRSS %d, RSS %d: want 0 < RSS <= PeakRSS", u.PeakRSS, u.RSS)
	}
	self, err := SelfCPU()
	if err != nil || self <= 0 {
		t.Errorf("SelfCPU = %v, %v; want more than 0", self, err)
	}
	if _, err := ReadProcessUsage(1 << 30); err == nil {
		t.Error("ReadProcessUsage of a pid that cannot exist succeeded")
	}
}

func TestParseMachineBusy(t *testing.T) {
	const text = "cpu  1000 20 300 50000 400 5 6 7 0 0\ncpu0 500 10 150 25000 200 2 3 3 0 0\nintr 1 2 3\n"
	got, err := parseMachineBusy(text)
	// user+nice+system+irq+softirq+steal = 1000+20+300+5+6+7 ticks of 10 ms.
	if want := 13380 * time.Millisecond; err != nil || got != want {
		t.Errorf("parseMachineBusy = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"", "intr 1 2 3\n", "cpu 1 2 3\n", "cpu 1 2 x 4 5 6 7 8 0 0\n"} {
		if _, err := parseMachineBusy(bad); err == nil {
			t.Errorf("parseMachineBusy(%q) succeeded", bad)
		}
	}
}
