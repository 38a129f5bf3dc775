package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// tally counts the outcomes of an attack's connections ("413
// form_header_too_large", "closed after 10s", …).
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(outcome string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[outcome]++
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k, v := range t.n {
		out = append(out, fmt.Sprintf("%d× %s", v, k))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// attack is one hostile load against the gateway at base.
type attack struct {
	name   string
	expect string
	run    func(b *bench, t *tally)
}

// parallel runs f(i) for i in [0, n) at once and waits for all.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); f(i) }()
	}
	wg.Wait()
}

// answer reads what the server sends on conn until deadline: its status
// and error code, or how the connection ended and when.
func answer(conn net.Conn, start time.Time, deadline time.Time) string {
	conn.SetReadDeadline(deadline)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return "still open at the end"
		}
		return fmt.Sprintf("closed without an answer after %s", roundS(time.Since(start)))
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	res.Body.Close()
	return fmt.Sprintf("%d %s after %s", res.StatusCode, errorCode(body), roundS(time.Since(start)))
}

// roundS rounds d to whole seconds, or to 0.1 s under 2 s.
func roundS(d time.Duration) time.Duration {
	if d < 2*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// errorCode is the "code" of a JSON error answer.
func errorCode(body []byte) string {
	_, rest, ok := bytes.Cut(body, []byte(`"code":"`))
	if !ok {
		return "(no code)"
	}
	code, _, _ := bytes.Cut(rest, []byte(`"`))
	return string(code)
}

// slowHeaders: conns connections each send a request line, then one
// header byte per second for up to d.
func slowHeaders(conns int, d time.Duration) func(b *bench, t *tally) {
	return func(b *bench, t *tally) {
		parallel(conns, func(int) {
			conn, err := net.Dial("tcp", b.addr)
			if err != nil {
				t.add("dial failed")
				return
			}
			defer conn.Close()
			start := time.Now()
			done := make(chan string, 1)
			go func() { done <- answer(conn, start, start.Add(d+2*time.Second)) }()
			if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
				t.add("write failed")
				return
			}
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for time.Since(start) < d {
				select {
				case got := <-done:
					t.add(got)
					return
				case <-tick.C:
					conn.Write([]byte("a"))
				}
			}
			t.add(<-done)
		})
	}
}

// slowBodies: uploads forms that send their fields and the file part's
// header, then one byte of the file every 2 s, for up to d.
func slowBodies(uploads int, d time.Duration) func(b *bench, t *tally) {
	return func(b *bench, t *tally) {
		parallel(uploads, func(i int) {
			head := form(uploadFields(i), "file", "slow.txt")
			conn, err := b.post(i, "/api/storage/upload", formType, head, len(head)+1<<20)
			if err != nil {
				t.add(err.Error())
				return
			}
			defer conn.Close()
			start := time.Now()
			done := make(chan string, 1)
			go func() { done <- answer(conn, start, start.Add(d)) }()
			tick := time.NewTicker(2 * time.Second)
			defer tick.Stop()
			for {
				select {
				case got := <-done:
					t.add(got)
					return
				case <-tick.C:
					conn.Write([]byte("z"))
				}
			}
		})
	}
}

// hugePartHeaders: conns uploads whose first part header is 8 MiB long;
// the client then goes silent, waiting for the answer up to d.
func hugePartHeaders(conns int, d time.Duration) func(b *bench, t *tally) {
	pad := bytes.Repeat([]byte("p"), 8<<20)
	return func(b *bench, t *tally) {
		parallel(conns, func(i int) {
			head := []byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"object_id\"\r\nX-Pad: ")
			conn, err := b.post(i, "/api/storage/upload", formType, head, len(head)+len(pad)+1<<10)
			if err != nil {
				t.add(err.Error())
				return
			}
			defer conn.Close()
			start := time.Now()
			go conn.Write(pad) // fails once the server closed the connection
			t.add(answer(conn, start, start.Add(d)))
		})
	}
}

// zipUploads: for each archive, n uploads of it at once to app-zip-upload.
func zipUploads(n int, archives ...func() []byte) func(b *bench, t *tally) {
	return func(b *bench, t *tally) {
		for _, archive := range archives {
			z := archive()
			parallel(n, func(i int) {
				body := append(form([][2]string{{"object_id", fmt.Sprintf("app-%d", i)}}, "file", "app.zip"), z...)
				body = append(body, "\r\n--"+boundary+"--\r\n"...)
				conn, err := b.post(i, "/api/storage/app-zip-upload", formType, body, len(body))
				if err != nil {
					t.add(err.Error())
					return
				}
				defer conn.Close()
				t.add(fmt.Sprintf("%d MiB: %s", len(z)>>20, answer(conn, time.Now(), time.Now().Add(60*time.Second))))
			})
		}
	}
}

// hugeMethods: n requests (10 at a time) whose method is size bytes, half
// to a known route and half to an unmatched path. The size of /metrics is
// taken before, after the first request of each kind (which may add its
// series) and at the end (which must not have grown since).
func hugeMethods(n, size int) func(b *bench, t *tally) {
	method := "X" + strings.Repeat("M", size-1)
	send := func(b *bench, t *tally, i int) {
		path := "/api/storage/files"
		if i%2 == 0 {
			path = fmt.Sprintf("/zz/unmatched-%d", i)
		}
		req, _ := http.NewRequest(method, b.Base+path, nil)
		res, err := b.client.Do(req)
		if err != nil {
			t.add("error: " + err.Error())
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.add(fmt.Sprintf("%d %s", res.StatusCode, errorCode(body)))
	}
	return func(b *bench, t *tally) {
		before := b.metricsSize()
		send(b, t, 0)
		send(b, t, 1)
		first := b.metricsSize()
		sem := make(chan struct{}, 10)
		parallel(n-2, func(i int) {
			sem <- struct{}{}
			defer func() { <-sem }()
			send(b, t, i)
		})
		t.add(fmt.Sprintf("/metrics (storagegw_http_*) %s before, %s after the first 2, %s after all", before, first, b.metricsSize()))
	}
}
