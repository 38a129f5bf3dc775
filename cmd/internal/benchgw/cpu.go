package benchgw

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPU is the CPU time, user and system, the gateway has used so far. On a
// shared machine the CPU a request costs varies far less than requests per
// second do.
func (g *Gateway) CPU() (time.Duration, error) { return ProcessCPU(g.Cmd.Process.Pid) }

// ProcessCPU is the CPU time, user and system, process pid has used so far
// (from /proc/<pid>/stat, in USER_HZ ticks of 10 ms).
func ProcessCPU(pid int) (time.Duration, error) {
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
	return time.Duration(ticks) * time.Second / 100, nil
}
