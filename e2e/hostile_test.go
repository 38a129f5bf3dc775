package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// tokenChars are the bytes an HTTP method (a token, RFC 9110 5.6.2) may hold.
const tokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"

// madeUpMethod is a random method of 1 to 4,096 token bytes (never a real
// one: it starts with "X-").
func madeUpMethod(r *rand.Rand) string {
	b := []byte("X-")
	for range r.IntN(4095) + 1 {
		b = append(b, tokenChars[r.IntN(len(tokenChars))])
	}
	return string(b)
}

// randomPath is a path no route matches: one to five random segments under
// a first segment that is not a route's.
func randomPath(r *rand.Rand) string {
	const seg = "abcdefghijklmnopqrstuvwxyz0123456789-_."
	var b strings.Builder
	b.WriteString("/zz")
	for range r.IntN(5) + 1 {
		b.WriteByte('/')
		for range r.IntN(40) + 1 {
			b.WriteByte(seg[r.IntN(len(seg))])
		}
	}
	return b.String()
}

// httpSeries is the set of storagegw_http_* series of a /metrics answer,
// its own route's aside (the scrape before counts in the one after).
func httpSeries(t *testing.T, a *api) map[string]bool {
	t.Helper()
	r := a.Get("/metrics", "")
	want(t, "metrics", r, http.StatusOK, "")
	series := map[string]bool{}
	for _, line := range strings.Split(string(r.Body), "\n") {
		if strings.HasPrefix(line, "storagegw_http_") && !strings.Contains(line, `route="/metrics"`) {
			name, _, _ := strings.Cut(line, " ")
			series[name] = true
		}
	}
	return series
}

// TestHostileMethodsAndPaths sends 300 requests with made-up methods (up
// to 4 KiB long) to known routes and to random unmatched paths: each is a
// 405 method_not_allowed or a 404 route_not_found with a JSON code, and
// after the first of each kind /metrics holds no new storagegw_http_*
// series (the method folds into OTHER, the path into "(unmatched)").
func TestHostileMethodsAndPaths(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	r := rand.New(rand.NewPCG(11, 300))
	known := []string{"/api/storage/upload", "/api/storage/files", "/api/storage/signed-url", "/healthz", "/metrics"}
	send := func(i int) {
		method := madeUpMethod(r)
		path, status, code := randomPath(r), http.StatusNotFound, "route_not_found"
		if i%2 == 1 {
			path, status, code = known[r.IntN(len(known))], http.StatusMethodNotAllowed, "method_not_allowed"
		}
		got := a.Do(method, path, a.Token("org-1", "member"), nil, nil)
		if got.Status != status || got.Code() != code {
			t.Errorf("%.20s… %s: got %d %.200s, want %d %s", method, path, got.Status, got.Body, status, code)
		}
	}
	send(0) // the first of each kind may add its series
	send(1)
	before := httpSeries(t, a)
	for i := range 300 {
		send(i)
	}
	after := httpSeries(t, a)
	var added []string
	for s := range after {
		if !before[s] {
			added = append(added, s)
		}
	}
	sort.Strings(added)
	if len(after) != len(before) || len(added) > 0 {
		for i := range added[:min(len(added), 3)] {
			added[i] = added[i][:min(len(added[i]), 120)] + "…"
		}
		t.Errorf("storagegw_http_* series: got %d after 300 hostile requests, want the %d of before; new: %s",
			len(after), len(before), strings.Join(added[:min(len(added), 3)], "\n"))
	}
	if len(added) == 0 && !strings.Contains(strings.Join(keys(after), "\n"), `method="OTHER"`) {
		t.Errorf("no series counts the made-up methods as OTHER:\n%s", strings.Join(keys(after), "\n"))
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// trickle writes head to conn, then filler in 16 KiB chunks every 2 ms
// (8 MB/s, so that 8 MiB take a second) up to total bytes, counting what
// was written, until a write fails or stop closes.
func trickle(conn net.Conn, head []byte, total int64, sent *atomic.Int64, stop <-chan struct{}) {
	if _, err := conn.Write(head); err != nil {
		return
	}
	sent.Add(int64(len(head)))
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	for sent.Load() < total {
		select {
		case <-stop:
			return
		case <-time.After(2 * time.Millisecond):
		}
		if _, err := conn.Write(chunk); err != nil {
			return
		}
		sent.Add(int64(len(chunk)))
	}
}

// TestHostileLargeBodies sends, over a real connection, bodies that are
// too large in a part header or as a whole JSON body: each is a 413 with
// its code and Connection: close, answered before the server read the
// body (the client is still sending when the answer comes).
func TestHostileLargeBodies(t *testing.T) {
	t.Parallel()
	const huge = 10 << 20
	padHeader := "--" + hostileBoundary + "\r\nContent-Disposition: form-data; name=\"object_id\"\r\nX-Pad: "
	tests := []struct {
		name, route, contentType string
		head                     string
		declared                 int64
		code                     string
		events                   int // the use case is reached (and audits) only once the form is read
	}{
		{"8 MiB part header", "/api/storage/upload", "multipart/form-data; boundary=" + hostileBoundary,
			padHeader, 8<<20 + int64(len(padHeader)) + 64, "form_header_too_large", 0},
		{"8 MiB part header after the fields", "/api/storage/receipt-upload", "multipart/form-data; boundary=" + hostileBoundary,
			"--" + hostileBoundary + "\r\nContent-Disposition: form-data; name=\"object_id\"\r\n\r\nr1\r\n" + padHeader,
			8<<20 + 200, "form_header_too_large", 0},
		{"10 MiB JSON body", "/api/storage/signed-url", "application/json",
			`{"file_path": "org-x/workspace/doc/d1/a.png", "disposition": "`, huge, "body_too_large", 0},
		{"10 MiB JSON body to multipart initiate", "/api/storage/multipart/initiate", "application/json",
			`{"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "`, huge, "body_too_large", 0},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, nil)
			org := fmt.Sprintf("big-%d", i)
			conn, err := net.Dial("tcp", strings.TrimPrefix(a.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
				tc.route, a.Token(org, "member"), tc.contentType, tc.declared, tc.head)
			var sent atomic.Int64
			stop := make(chan struct{})
			defer close(stop)
			start := time.Now()
			go trickle(conn, []byte(head), tc.declared, &sent, stop)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer (sent %d of %d bytes): %v", sent.Load(), tc.declared, err)
			}
			body, _ := io.ReadAll(res.Body)
			got := response{Status: res.StatusCode, Header: res.Header, Body: body}
			want(t, tc.name, got, http.StatusRequestEntityTooLarge, tc.code)
			if !res.Close {
				t.Error("refused without Connection: close")
			}
			if n := sent.Load(); n >= tc.declared {
				t.Errorf("the answer came after the whole body (%d bytes, %s), want it before", n, time.Since(start))
			}
			if evs := a.AuditLog(org, ""); len(evs) != tc.events {
				t.Errorf("audit: got %d events %+v, want %d", len(evs), evs, tc.events)
			}
		})
	}
}
