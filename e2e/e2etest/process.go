package e2etest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"storagegw"
	"storagegw/adapters/auth"
	"storagegw/configs"
)

// The storagegw binary the process tests run: built once per test binary
// (with -race when the tests are), removed by RemoveBinary.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// Binary returns the path of a storagegw binary built from this tree.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "storagegw-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "storagegw")
		args := []string{"build", "-o", binPath}
		if raceEnabled() {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./cmd/storagegw")...)
		cmd.Dir = Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/storagegw: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// RemoveBinary removes the binary Binary built (a TestMain calls it).
func RemoveBinary() {
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// FreeAddr returns a loopback address nothing listens on (a port the
// kernel just handed out and released).
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Process is `storagegw serve` running as a child process of the test,
// with its own environment: what an operator runs, so that it can be
// killed with SIGKILL, stopped with SIGTERM and started again.
type Process struct {
	T    *testing.T
	URL  string            // http://<STORAGEGW_ADDR>
	Env  map[string]string // the storagegw settings of the process and its commands
	Log  string            // the file its standard output and error go to
	*API                   // a client of the process (Svc is nil: the service runs in the child)

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the current run exited
	err  error         // its exit error, once done
}

// StartProcess starts `storagegw serve` with env added to its defaults (a
// temp data dir, STORAGEGW_ADDR on a free loopback port, JSON logs at
// info) and waits until /readyz answers 200. The process is killed when
// the test ends; if the test failed, its log is shown.
func StartProcess(t *testing.T, env map[string]string) *Process {
	t.Helper()
	bin := Binary(t)
	addr := FreeAddr(t)
	vars := map[string]string{"STORAGEGW_DATA_DIR": t.TempDir(), "STORAGEGW_ADDR": addr,
		"STORAGEGW_PUBLIC_URL": "http://" + addr, "STORAGEGW_LOG_FORMAT": "json", "STORAGEGW_LOG_LEVEL": "info"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := configs.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{T: t, URL: "http://" + vars["STORAGEGW_ADDR"], Env: vars,
		Log: filepath.Join(t.TempDir(), "storagegw.log")}
	t.Cleanup(func() {
		p.Kill9()
		if t.Failed() {
			b, _ := os.ReadFile(p.Log)
			t.Logf("log of storagegw serve at %s (last 16 KiB):\n%s", p.URL, tail(b, 16<<10))
		}
	})
	p.start(bin)
	p.WaitReady(30 * time.Second)
	secret, err := auth.SigningSecret(storagegw.AuthSettings(cfg))
	if err != nil {
		t.Fatal(err)
	}
	p.API = &API{T: t, URL: p.URL, Cfg: cfg, Secret: secret}
	return p
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// environ is the child's environment: this process's, without any
// storagegw, database, store or token setting of its own, plus vars.
func environ(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "STORAGEGW_") || strings.HasPrefix(k, "DATABASE_") ||
			strings.HasPrefix(k, "SPACES_") || strings.HasPrefix(k, "JWT_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

func (p *Process) start(bin string) {
	p.T.Helper()
	log, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.T.Fatal(err)
	}
	fmt.Fprintf(log, "=== storagegw serve started by the test at %s\n", time.Now().UTC().Format(time.RFC3339Nano))
	cmd := exec.Command(bin, "serve")
	cmd.Env = environ(p.Env)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		p.T.Fatal(err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.err = cmd, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		log.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
}

// WaitReady polls /readyz until it answers 200, and fails the test if the
// process exits first or within is over.
func (p *Process) WaitReady(within time.Duration) {
	p.T.Helper()
	deadline := time.Now().Add(within)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		res, err := client.Get(p.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			p.T.Fatalf("storagegw serve exited before it was ready: %v (log: %s)", p.err, p.Log)
		default:
		}
		if time.Now().After(deadline) {
			p.T.Fatalf("storagegw serve at %s not ready within %v: %v", p.URL, within, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Running reports whether the process has not exited.
func (p *Process) Running() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Kill9 kills the process with SIGKILL, as the kernel's OOM killer or a
// power cut would, and waits until it is gone.
func (p *Process) Kill9() {
	if !p.Running() {
		return
	}
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// Terminate sends SIGTERM, as an orchestrator does, and waits up to
// within for the process to exit. It returns how long the exit took and
// the exit status (-1 when the process did not exit in time and was
// killed).
func (p *Process) Terminate(within time.Duration) (time.Duration, int) {
	p.T.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.T.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(within):
		p.Kill9()
		return time.Since(start), -1
	}
	took := time.Since(start)
	p.mu.Lock()
	defer p.mu.Unlock()
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		return took, 0
	case errors.As(p.err, &ee):
		return took, ee.ExitCode()
	}
	return took, -1
}

// Restart starts the process again with the same environment (data dir,
// address, database, store) after it exited, and waits until it is ready.
func (p *Process) Restart() {
	p.T.Helper()
	if p.Running() {
		p.T.Fatal("Restart: the process is still running")
	}
	p.start(Binary(p.T))
	p.WaitReady(30 * time.Second)
}

// Result is what one run of an operator command printed and returned.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int // the exit status; -1 when it could not be run
	Took           time.Duration
}

func (r Result) String() string {
	return fmt.Sprintf("storagegw %s: exit %d after %v\nstdout: %s\nstderr: %s", strings.Join(r.Args, " "), r.Code,
		r.Took.Round(time.Millisecond), r.Stdout, r.Stderr)
}

// Run runs an operator command (`storagegw reconcile`, `cleanup-uploads`,
// `purge`, `audit verify`, …) with the process's environment and extra,
// bounded by a minute. It is safe to call from several goroutines.
func (p *Process) Run(extra map[string]string, args ...string) Result {
	vars := map[string]string{}
	for k, v := range p.Env {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(p.T), args...)
	cmd.Env = environ(vars)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := Result{Args: args, Stdout: out.String(), Stderr: errb.String(), Took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		r.Code, r.Stderr = -1, r.Stderr+err.Error()
	}
	return r
}

// LogLines returns the lines of the process's log (every run) that
// contain each of subs.
func (p *Process) LogLines(subs ...string) []string {
	p.T.Helper()
	b, err := os.ReadFile(p.Log)
	if err != nil {
		p.T.Fatal(err)
	}
	var out []string
next:
	for _, line := range strings.Split(string(b), "\n") {
		for _, s := range subs {
			if !strings.Contains(line, s) {
				continue next
			}
		}
		out = append(out, line)
	}
	return out
}
