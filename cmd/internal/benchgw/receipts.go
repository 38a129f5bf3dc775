package benchgw

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Receipt is a 10 KiB PNG: a valid header and filler.
var Receipt = func() []byte {
	p := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for i := len(p); i < 10<<10; i++ {
		p = append(p, byte(i*7))
	}
	return p
}()

// Load is what a closed-loop load measured: requests per second, the
// latencies' quantiles, and the answers that were not 2xx.
type Load struct {
	PerSecond float64
	P50, P99  time.Duration
	Failed    int
}

func (l Load) String() string {
	return fmt.Sprintf("%.0f/s, p50 %v, p99 %v, %d not 2xx", l.PerSecond, l.P50.Round(100*time.Microsecond),
		l.P99.Round(100*time.Microsecond), l.Failed)
}

// Receipts has clients post Receipt to base's /api/storage/receipt-upload
// for d after a 1 s warm-up, each under tokens[client % len(tokens)], a new
// object id each time.
func Receipts(base string, tokens []string, clients int, d time.Duration) Load {
	hc := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: 2 * clients}}
	var (
		mu     sync.Mutex
		lat    []time.Duration
		failed int
		wg     sync.WaitGroup
		warm   = time.Now().Add(time.Second)
		end    = warm.Add(d)
	)
	for i := range clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for n := 0; ; n++ {
				start := time.Now()
				if start.After(end) {
					break
				}
				status, err := postReceipt(hc, base, tokens[i%len(tokens)], fmt.Sprintf("bench-%d-%d", i, n))
				if start.Before(warm) {
					continue
				}
				if err != nil || status/100 != 2 {
					bad++
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat, failed = append(lat, mine...), failed+bad
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(warm)
	slices.Sort(lat)
	q := func(f float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(f*float64(len(lat))))]
	}
	return Load{PerSecond: float64(len(lat)) / took.Seconds(), P50: q(0.5), P99: q(0.99), Failed: failed}
}

func postReceipt(hc *http.Client, base, token, objectID string) (int, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("object_id", objectID)
	f, _ := w.CreateFormFile("file", "receipt.png")
	_, _ = f.Write(Receipt)
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, base+"/api/storage/receipt-upload", &body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}
