package main

import (
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"testing"
	"time"

	"storagegw"
	"storagegw/adapters/auth"
	"storagegw/configs"
)

// freeAddr returns a loopback address nothing listens on (a port the
// kernel just handed out and released).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitUp polls url until it answers 200.
func waitUp(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeGracefulShutdown runs `storagegw serve` in-process, starts an
// upload that is still streaming when the stop arrives, and checks that
// the upload completes, new connections are refused, and serve returns.
// It also checks that metrics_addr moves /metrics to its own listener.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"STORAGEGW_DATA_DIR": t.TempDir(), "STORAGEGW_ADDR": addr, "STORAGEGW_METRICS_ADDR": metricsAddr,
		"STORAGEGW_LOG_LEVEL": "error", "STORAGEGW_SHUTDOWN_TIMEOUT": "20s",
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() {
		root := newRootCommand(func(k string) string { return env[k] })
		root.SetArgs([]string{"serve"})
		root.SetOut(io.Discard)
		done <- root.ExecuteContext(ctx)
	}()
	base := "http://" + addr
	waitUp(t, base+"/healthz")
	waitUp(t, "http://"+metricsAddr+"/metrics")
	if res, err := http.Get(base + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the API listener with metrics_addr set: %v %v", res, err)
	}

	cfg, err := configs.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	secret, err := auth.SigningSecret(storagegw.AuthSettings(cfg))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.Mint(secret, storagegw.AuthSettings(cfg).MintParams(auth.MintParams{Sub: "u1", Org: "org-1", Role: "member"}), time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// A slow upload: the fields and the first bytes of the file, then a pause.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/storage/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	type result struct {
		status int
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			resc <- result{err: err}
			return
		}
		res.Body.Close()
		resc <- result{status: res.StatusCode}
	}()
	for _, f := range [][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", "slow.png")
	if err != nil {
		t.Fatal(err)
	}
	body := pngOf(64 << 10)
	if _, err := fw.Write(body[:4096]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is now reading the body

	stop() // as SIGTERM would
	time.Sleep(200 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the listener still accepts connections during shutdown")
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned before the in-flight upload finished: %v", err)
	default:
	}

	if _, err := fw.Write(body[4096:]); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	pw.Close()
	select {
	case r := <-resc:
		if r.err != nil || r.status != http.StatusCreated {
			t.Errorf("the in-flight upload: got %d %v, want 201", r.status, r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the in-flight upload never finished")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after the stop")
	}
}
