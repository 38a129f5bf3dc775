package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"storagegw/cmd/internal/benchgw"
)

// benchLocal compares a local-disk upload of c.size with the disk-limit
// probe (the same bytes streamed to a file on the same file system with
// sha256 and one fsync), and the signed-URL download of the stored file
// with http.ServeFile of that same file (best of five each, alternating,
// page cache warm for both).
func benchLocal(c config, dir string, vars []string, out io.Writer) error {
	g, tok, err := start(dir, false, vars)
	if err != nil {
		return err
	}
	defer g.Stop()
	var path string
	gw, err := timed(func() error { path, err = upload(g.Base, tok, "local.bin", c.size); return err })
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	probe, err := timed(func() error { return probeDisk(filepath.Join(dir, "probe.bin"), c.size) })
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	fmt.Fprintln(out, "local disk:")
	printPair(out, fmt.Sprintf("upload of %s", mib(c.size)), c.size, gw, "probe (stream + sha256 + fsync)", probe)

	url, err := signedURL(g.Base, tok, path)
	if err != nil {
		return err
	}
	blob, err := largestFile(filepath.Join(dir, "data", "blobs"))
	if err != nil {
		return err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, blob) }))
	defer srv.Close()
	var gwDown, refDown time.Duration
	for range 5 {
		for _, m := range []struct {
			url  string
			best *time.Duration
		}{{url, &gwDown}, {srv.URL, &refDown}} {
			d, err := timed(func() error { return download(m.url, c.size) })
			if err != nil {
				return fmt.Errorf("download %s: %w", m.url, err)
			}
			if *m.best == 0 || d < *m.best {
				*m.best = d
			}
		}
	}
	printPair(out, "signed-URL download", c.size, gwDown, "http.ServeFile of the same file", refDown)
	fmt.Fprintln(out)
	return nil
}

// probeDisk writes size payload bytes to name in 1 MiB writes, hashing
// them, then fsyncs it once.
func probeDisk(name string, size int64) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer os.Remove(name)
	h := sha256.New()
	if _, err := io.CopyBuffer(io.MultiWriter(f, h), newPayload(size), make([]byte, 1<<20)); err != nil {
		f.Close()
		return err
	}
	h.Sum(nil)
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func signedURL(base, tok, path string) (string, error) {
	body, _ := json.Marshal(map[string]string{"file_path": path})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/storage/signed-url", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var su struct {
		URL string `json:"url"`
	}
	if err := json.NewDecoder(res.Body).Decode(&su); err != nil || res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("signed URL: status %d %v", res.StatusCode, err)
	}
	return su.URL, nil
}

func download(url string, size int64) error {
	res, err := http.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err == nil && (res.StatusCode != http.StatusOK || n != size) {
		err = fmt.Errorf("status %d, %d bytes, want 200 and %d", res.StatusCode, n, size)
	}
	return err
}

func largestFile(root string) (string, error) {
	var best string
	var size int64 = -1
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if fi, err := d.Info(); err == nil && fi.Size() > size {
			best, size = p, fi.Size()
		}
		return nil
	})
	if best == "" && err == nil {
		err = fmt.Errorf("no blob under %s", root)
	}
	return best, err
}

// benchReceipts measures c.clients clients uploading 10 KiB receipts on
// SQLite, then on PostgreSQL when there is a server, local disk both.
func benchReceipts(c config, dir string, out io.Writer) error {
	type db struct{ name, server string }
	dbs := []db{{name: "SQLite"}}
	if c.postgres != "" {
		dbs = append(dbs, db{"PostgreSQL", c.postgres})
	}
	fmt.Fprintf(out, "receipt uploads (10 KiB PNG, %d clients, local disk, each audited):\n", c.clients)
	cpu0 := selfCPU()
	probe, n, err := probeSmallFiles(filepath.Join(dir, "probe"), c.clients, c.receipts)
	if err != nil {
		return fmt.Errorf("small-file probe: %w", err)
	}
	fmt.Fprintf(out, "  %-11s %.0f/s, %.0f µs of CPU each (%d writers, each a 10 KiB file in two new directories, "+
		"file and directory fsynced)\n", "disk probe:", probe, float64((selfCPU()-cpu0).Microseconds())/float64(max(n, 1)), c.clients)
	for _, d := range dbs {
		var vars []string
		var cleanups []func()
		if d.server != "" {
			dsn, drop, err := benchgw.FreshDatabase(d.server)
			if err != nil {
				return err
			}
			vars, cleanups = append(vars, "DATABASE_URL="+dsn), append(cleanups, drop)
		}
		g, err := startReceipts(filepath.Join(dir, strings.ToLower(d.name)), vars, cleanups...)
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		var tokens []string
		for i := range 8 {
			tok, err := g.Token(fmt.Sprintf("bench-%d", i), "member")
			if err != nil {
				g.Stop()
				return err
			}
			tokens = append(tokens, tok)
		}
		gw0, err := g.CPU()
		if err != nil {
			g.Stop()
			return err
		}
		load := benchgw.Receipts(g.Base, tokens, c.clients, c.receipts)
		gw1, err := g.CPU()
		g.Stop()
		if err != nil {
			return err
		}
		// The gateway's CPU over the warm-up and the measurement, per
		// receipt of the measurement (the warm-up's second adds a
		// sixth or so at 5 s).
		perReceipt := float64((gw1 - gw0).Microseconds()) / (load.PerSecond * (c.receipts.Seconds() + 1))
		fmt.Fprintf(out, "  %-11s %s; %.2f× the disk probe; gateway CPU %.0f µs each\n", d.name+":", load,
			load.PerSecond/probe, perReceipt)
	}
	if c.postgres == "" {
		fmt.Fprintln(out, "  PostgreSQL: not measured (no STORAGEGW_TEST_DATABASE_URL; run through scripts/with-postgres.sh)")
	}
	return nil
}

func startReceipts(dir string, vars []string, cleanups ...func()) (*benchgw.Gateway, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return benchgw.Start(dir, vars, cleanups...)
}

// probeSmallFiles is the disk's own rate, per second over d (and the
// files made), of what a receipt costs the local store, with nothing
// else: writers goroutines each making, in a loop, the two new
// directories of a new receipt's blob (object id, file name) under one
// of 8 org directories, a 10 KiB file in them, then fsyncing the file and
// its directory.
func probeSmallFiles(root string, writers int, d time.Duration) (perSecond float64, files int64, err error) {
	payload := bytes.Repeat([]byte{0x5a}, 10<<10)
	var (
		done  atomic.Int64
		first atomic.Pointer[error]
		wg    sync.WaitGroup
	)
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for i := 0; time.Since(start) < d; i++ {
				dir := filepath.Join(root, fmt.Sprintf("org-%d", w%8), "accounting", "receipt",
					fmt.Sprintf("w%d-%d", w, i), "receipt.png")
				if err := writeSynced(dir, payload); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if err := first.Load(); err != nil {
		return 0, 0, *err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), done.Load(), os.RemoveAll(root)
}

func writeSynced(dir string, payload []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "blob"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(payload)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	dd, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = dd.Sync()
	if cerr := dd.Close(); err == nil {
		err = cerr
	}
	return err
}
