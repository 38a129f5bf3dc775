package main

import (
	"syscall"
	"time"

	"storagegw/cmd/internal/benchgw"
)

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
	g0, err := benchgw.ProcessCPU(pid)
	if err != nil {
		return 0, 0, err
	}
	s0 := selfCPU()
	if err := f(); err != nil {
		return 0, 0, err
	}
	g1, err := benchgw.ProcessCPU(pid)
	if err != nil {
		return 0, 0, err
	}
	return g1 - g0, selfCPU() - s0, nil
}
