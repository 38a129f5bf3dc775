package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of the times in /proc/<pid>/stat (USER_HZ, 100 on
// every Linux build in use).
const userHZ = 100

// cpuOf is the CPU time, user and system, that process pid has used so far.
func cpuOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is the first, utime and stime the 12th and 13th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// selfCPU is the CPU time, user and system, this process has used so far:
// the clients of every step (payload generation, the form upload to the
// gateway, or the direct PUT with its signing).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuSpent runs f and returns the CPU time the gateway (pid) and this
// process used meanwhile.
func cpuSpent(pid int, f func() error) (gateway, self time.Duration, err error) {
	g0, err := cpuOf(pid)
	if err != nil {
		return 0, 0, err
	}
	s0 := selfCPU()
	if err := f(); err != nil {
		return 0, 0, err
	}
	g1, err := cpuOf(pid)
	if err != nil {
		return 0, 0, err
	}
	return g1 - g0, selfCPU() - s0, nil
}
