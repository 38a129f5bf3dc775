package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bench is a running gateway and what the clients need of it.
type bench struct {
	base   string
	client *http.Client
	tokens []string // a member of each org
	paths  []string // a file of each org, to sign URLs for
	// cpu is the gateway's CPU time so far (nil: not measured).
	cpu func() (time.Duration, error)
}

// result is one measurement: the latencies of the 2xx answers, how many
// answers were not 2xx, and the audit events and commits of the gateway
// meanwhile.
type result struct {
	what            string
	took            time.Duration
	latencies       []time.Duration // sorted
	failed          int
	events, commits float64
	commitTime      float64       // seconds, all commits together
	cpu             time.Duration // the gateway's CPU time meanwhile; 0 if not measured
}

// cpuPerRequest is the gateway's CPU time per 2xx answer, "" if unknown.
func (r result) cpuPerRequest() string {
	if r.cpu <= 0 || len(r.latencies) == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f µs", float64(r.cpu/time.Microsecond)/float64(len(r.latencies)))
}

func (r result) perSecond() float64 { return float64(len(r.latencies)) / r.took.Seconds() }

func (r result) meanCommit() string {
	if r.commits == 0 {
		return ""
	}
	return ms(time.Duration(r.commitTime / r.commits * float64(time.Second)))
}

func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

func (r result) String() string {
	return fmt.Sprintf("%s: %.0f/s, p50 %s, p99 %s, %d not 2xx, %.0f audit events in %.0f commits of %s on average, gateway CPU %s a request",
		r.what, r.perSecond(), ms(r.quantile(0.5)), ms(r.quantile(0.99)), r.failed, r.events, r.commits, r.meanCommit(), r.cpuPerRequest())
}

// run has clients goroutines call do (client i as org i%orgs, its n-th
// call) for a 1 s warm-up and then for d, and measures the second part.
func (b *bench) run(what string, clients int, d time.Duration, do func(i, n int) (int, error)) result {
	var (
		mu     sync.Mutex
		res    = result{what: what}
		wg     sync.WaitGroup
		warm   = time.Now().Add(time.Second)
		end    = warm.Add(d)
		before = make(chan [3]float64, 1)
		cpu0   = make(chan time.Duration, 1)
	)
	time.AfterFunc(time.Until(warm), func() { cpu0 <- b.cpuNow(); before <- b.auditCounters() })
	for i := range clients {
		wg.Go(func() {
			var lat []time.Duration
			failed := 0
			for n := 0; ; n++ {
				start := time.Now()
				if start.After(end) {
					break
				}
				status, err := do(i, n)
				if start.Before(warm) {
					continue
				}
				if err != nil || status/100 != 2 {
					failed++
					continue
				}
				lat = append(lat, time.Since(start))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.failed += failed
			mu.Unlock()
		})
	}
	wg.Wait()
	res.took = time.Since(warm)
	if c0, c1 := <-cpu0, b.cpuNow(); c0 > 0 {
		res.cpu = c1 - c0
	}
	after, first := b.auditCounters(), <-before
	res.events, res.commits, res.commitTime = after[0]-first[0], after[1]-first[1], after[2]-first[2]
	slices.Sort(res.latencies)
	return res
}

func (b *bench) cpuNow() time.Duration {
	if b.cpu == nil {
		return 0
	}
	d, err := b.cpu()
	if err != nil {
		return 0
	}
	return d
}

func (b *bench) healthz(int, int) (int, error) {
	res, err := b.client.Get(b.base + "/healthz")
	return drain(res, err)
}

func (b *bench) signURL(i, _ int) (int, error) {
	body, _ := json.Marshal(map[string]string{"file_path": b.paths[i%orgs]})
	req, _ := http.NewRequest(http.MethodPost, b.base+"/api/storage/signed-url", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.tokens[i%orgs])
	return drain(b.client.Do(req))
}

// receipt is a 10 KiB PNG: a valid header and filler.
var receipt = func() []byte {
	p := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for i := len(p); i < 10<<10; i++ {
		p = append(p, byte(i*7))
	}
	return p
}()

// upload sends client i's n-th receipt, under an object id of its own.
func (b *bench) upload(i, n int) (int, error) {
	return drain(b.postReceipt(i, fmt.Sprintf("exp-%d-%d", i, n)))
}

func (b *bench) postReceipt(i int, objectID string) (*http.Response, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("object_id", objectID)
	f, _ := w.CreateFormFile("file", "receipt.png")
	f.Write(receipt)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+"/api/storage/receipt-upload", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+b.tokens[i%orgs])
	return b.client.Do(req)
}

// seed uploads org i's file to sign URLs for and returns its path.
func (b *bench) seed(i int) (string, error) {
	res, err := b.postReceipt(i, "seed")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var rec struct {
		FilePath string `json:"file_path"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rec); err != nil || res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("seed upload: %d %v", res.StatusCode, err)
	}
	return rec.FilePath, nil
}

// auditCounters reads the events written in group commits, the number of
// commits and their total time from /metrics (zero when the gateway has
// no such metrics).
func (b *bench) auditCounters() [3]float64 {
	var out [3]float64
	res, err := b.client.Get(b.base + "/metrics")
	if err != nil {
		return out
	}
	defer res.Body.Close()
	s := bufio.NewScanner(res.Body)
	for s.Scan() {
		name, value, _ := strings.Cut(s.Text(), " ")
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "storagegw_audit_batched_events_total":
			out[0] = v
		case "storagegw_audit_batch_commit_seconds_count":
			out[1] = v
		case "storagegw_audit_batch_commit_seconds_sum":
			out[2] = v
		}
	}
	return out
}

// drain reads and closes an answer, so its connection is reused.
func drain(res *http.Response, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}
