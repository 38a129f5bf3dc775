package benchgw

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// StartProfiled is Start with the binary built with -tags benchpprof
// and its net/http/pprof listener on a free loopback port, for Profile.
func StartProfiled(work string, env []string, cleanups ...func()) (*Gateway, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	g, err := StartTagged(work, "benchpprof", append(env, "STORAGEGW_PPROF_ADDR="+addr), cleanups...)
	if err != nil {
		return nil, err
	}
	g.pprofAddr = addr
	return g, nil
}

// Profile runs measure and, when file is not empty, writes the gateway's
// CPU profile of the d that follows a 1 s warm-up to file. The gateway
// must have been started by StartProfiled.
func (g *Gateway) Profile(file string, d time.Duration, measure func() error) error {
	if file == "" {
		return measure()
	}
	if g.pprofAddr == "" {
		return fmt.Errorf("cpu profile: the gateway was not started by StartProfiled")
	}
	done := make(chan error, 1)
	time.AfterFunc(time.Second, func() { done <- cpuProfile(g.pprofAddr, d, file) })
	err := measure()
	if perr := <-done; perr != nil && err == nil {
		err = fmt.Errorf("cpu profile: %w", perr)
	}
	return err
}

// cpuProfile fetches the CPU profile over d from the pprof listener at
// addr into file.
func cpuProfile(addr string, d time.Duration, file string) error {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(d.Seconds()))))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof answered %s", res.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	fmt.Fprintf(os.Stderr, "CPU profile of the gateway in %s (go tool pprof %s)\n", file, file)
	return f.Close()
}
